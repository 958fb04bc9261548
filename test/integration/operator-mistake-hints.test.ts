import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { promisify } from 'node:util';
import Database from 'better-sqlite3';
import { backupDatabase } from '../../lib/data/backup';
import { enableCapture } from '../../lib/data/capture';
import { silentLogger } from '../../lib/logger';
import { SyncClient } from '../../lib/peers/sync-client';
import { tempDb } from '../helpers/data';
import { TEST_TOKEN } from '../helpers/server';
import { tempDir } from '../helpers/temp';

const run = promisify(execFile);
const CLI = path.resolve(__dirname, '..', '..', 'dist', 'bin', 'express-sqlite-sync.js');

/** Runs the built command-line tool as a user would; never rejects. */
async function cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [CLI, ...args], { env: { ...process.env, SYNC_TOKEN: TEST_TOKEN } });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

/** `https://` to a server that speaks plain HTTP: OpenSSL's "wrong version number" gets the hint to use http://. */
describe('an https:// URL to a plain-HTTP server', () => {
  let server: http.Server;
  let port: number;
  beforeAll(async () => {
    server = http.createServer((_req, res) => res.end('plain'));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  it('the CLI says the server answered in plain HTTP and to use http://', async () => {
    const result = await cli('status', '--url', `https://127.0.0.1:${port}`, '--json');
    expect(result.code).toBe(1);
    const { error } = (JSON.parse(result.stdout) as { error: { code: string; message: string } });
    expect(error.code).toBe('EPROTO');
    expect(error.message).toMatch(/wrong version number.*: the server answered in plain HTTP\? use http:\/\/ in --url/);
    expect(result.stderr).toContain('use http:// in --url');
  });

  it("a peer configured https:// that speaks HTTP: the failure in the result (and /status) says so", async () => {
    const db = tempDb('CREATE TABLE notes (id TEXT PRIMARY KEY NOT NULL, body TEXT);');
    const url = `https://127.0.0.1:${port}/api/sync`;
    const client = new SyncClient({ logger: silentLogger, peers: [url], token: TEST_TOKEN, data: enableCapture(db.db, { tables: ['notes'] }) });
    try {
      const result = await client.syncPeer(url);
      expect(result.error?.code).toBe('EPROTO');
      expect(result.error?.message).toMatch(/did not answer in TLS .*: the peer answered in plain HTTP\? use http:\/\/ in its URL/);
      expect(client.peerStatuses()[0]!.lastError).toContain('use http:// in its URL');
    } finally {
      await client.stop();
      db.cleanup();
    }
  });
});

/** A backup into a folder that does not exist names the folder and the fix, as TARGET_INVALID. */
describe('backup --out in a folder that does not exist', () => {
  let temp: ReturnType<typeof tempDir>;
  let dbFile: string;
  beforeEach(() => {
    temp = tempDir();
    dbFile = path.join(temp.dir, 'app.db');
    const db = new Database(dbFile);
    db.exec('CREATE TABLE notes (id TEXT PRIMARY KEY NOT NULL, body TEXT)');
    db.close();
  });
  afterEach(() => temp.cleanup());

  it('the CLI names the folder, the fix, and TARGET_INVALID; nothing is created', async () => {
    const folder = path.join(temp.dir, 'nonexistent', 'dir');
    const result = await cli('backup', '--db', dbFile, '--out', path.join(folder, 'x.bak'), '--json');
    expect(result.code).toBe(1);
    expect(JSON.parse(result.stdout)).toEqual({
      error: { code: 'TARGET_INVALID', message: `the folder ${folder} of ${path.join(folder, 'x.bak')} does not exist: create it first (mkdir -p ${folder}) or write the backup elsewhere` },
    });
    expect(existsSync(path.join(temp.dir, 'nonexistent'))).toBe(false);
  });

  it('the library says the same, and a path under a file is refused too', async () => {
    await expect(backupDatabase(dbFile, path.join(temp.dir, 'missing', 'x.bak'))).rejects.toMatchObject({ code: 'TARGET_INVALID', message: expect.stringContaining('does not exist: create it first') });
    writeFileSync(path.join(temp.dir, 'a-file'), 'x');
    await expect(backupDatabase(dbFile, path.join(temp.dir, 'a-file', 'x.bak'))).rejects.toMatchObject({ code: 'TARGET_INVALID', message: expect.stringContaining('is not a folder') });
    mkdirSync(path.join(temp.dir, 'there'));
    await expect(backupDatabase(dbFile, path.join(temp.dir, 'there', 'x.bak'))).resolves.toMatchObject({ pages: expect.any(Number) });
  });
});
