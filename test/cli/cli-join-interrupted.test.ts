import { spawn } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import Database from 'better-sqlite3';
import { enableCapture } from '../../index';
import { tempDir } from '../helpers/temp';

const CLI = path.resolve(__dirname, '..', '..', 'dist', 'bin', 'express-sqlite-sync.js');

/** A peer whose snapshot starts, then stalls: a join is caught mid-download. */
async function stallingPeer(): Promise<{ url: string; close(): Promise<void> }> {
  const db = new Database(':memory:');
  db.exec('CREATE TABLE notes (id TEXT PRIMARY KEY NOT NULL, body TEXT)');
  const info = enableCapture(db, { tables: ['notes'] }).info();
  const server = http.createServer((req, res) => {
    if (req.url?.startsWith('/api/sync/data/info') === true) {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify(info));
    } else if (req.url?.startsWith('/api/sync/data/snapshot') === true) {
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'x-content-sha256': '0'.repeat(64), 'x-sync-site': info.site, 'x-sync-seq': '0', 'x-snapshot-bytes': '10000000' });
      res.write(Buffer.alloc(64 * 1024)); // and nothing more
    } else {
      res.statusCode = 404;
      res.end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      db.close();
    },
  };
}

describe('join stopped by Ctrl-C leaves nothing behind, as a join that fails', () => {
  let temp: ReturnType<typeof tempDir>;
  beforeEach(() => {
    temp = tempDir();
  });
  afterEach(() => temp.cleanup());

  it.each([['SIGINT', 130], ['SIGTERM', 143]] as const)('%s mid-download: no temp snapshot, not the folder it made (it left both)', async (signal, code) => {
    const peer = await stallingPeer();
    try {
      const folder = path.join(temp.dir, 'fresh', 'laptop');
      const child = spawn(process.execPath, [CLI, 'join', '--from', peer.url, '--db', path.join(folder, 'app.db'), '--token', 'test-token-0123456789abcdef'], { stdio: ['ignore', 'ignore', 'pipe'] });
      let stderr = '';
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      const exited = new Promise<number | null>((resolve) => child.once('exit', (exitCode) => resolve(exitCode)));
      for (let waited = 0; !(existsSync(folder) && readdirSync(folder).some((name) => name.startsWith('.app.db.sync-tmp-'))); waited += 20) {
        if (waited > 15_000) throw new Error(`no temp snapshot appeared; stderr: ${stderr}`);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      child.kill(signal);
      expect(await exited).toBe(code);
      expect(stderr).toMatch(new RegExp(`join stopped by ${signal}; nothing was left behind`));
      expect(readdirSync(temp.dir)).toEqual([]);
    } finally {
      await peer.close();
    }
  });
});
