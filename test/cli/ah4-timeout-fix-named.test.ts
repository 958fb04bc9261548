import { existsSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { TEST_TOKEN } from '../helpers/server';
import { runCli } from '../helpers/h7-cli';
import { startPeer } from '../helpers/snapshot';
import { tempDir } from '../helpers/temp';

/**
 * A server that takes the request and never answers (a host busy, a peer behind a link that
 * drops its answers): the CLI said only "GET /api/sync/data/info: no answer for 500 ms", with
 * nothing to do about it, where every other way a server cannot be reached names the fix. It
 * now asks whether the server runs at that address and names `--timeout` for a slow link.
 */
describe('the CLI against a server that never answers', () => {
  let server: http.Server;
  let url: string;
  let temp: ReturnType<typeof tempDir>;
  beforeAll(async () => {
    temp = tempDir('ess-ah4-silent-');
    server = http.createServer(() => undefined); // takes every request, answers none
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/sync`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    temp.cleanup();
  });

  it.each([
    ['join', ['join', '--from'], '--from'],
    ['status', ['status', '--url'], '--url'],
  ])('%s: PEER_TIMEOUT naming the address to check and --timeout', async (_command, args, flag) => {
    const db = path.join(temp.dir, 'new', 'app.db');
    const run = await runCli([...args, url, ...(args[0] === 'join' ? ['--db', db] : []), '--timeout', '500', '--json'], { SYNC_TOKEN: TEST_TOKEN });
    expect(run.code).toBe(1);
    const failure = (JSON.parse(run.stdout) as { error: { code: string; message: string } }).error;
    expect(failure.code).toBe('PEER_TIMEOUT');
    expect(failure.message).toContain(`no answer for 500 ms: is the server running, and is ${flag} its address?`);
    expect(failure.message).toMatch(/give it longer with --timeout <ms>/);
    expect(existsSync(path.dirname(db))).toBe(false);
  }, 30_000);

  it('join whose snapshot stops coming half-way: PEER_TIMEOUT saying so, not to check the address', async () => {
    const peer = await startPeer(temp.dir);
    const info = await (await fetch(`${peer.syncUrl}/data/info`, { headers: { Authorization: `Bearer ${TEST_TOKEN}` } })).text();
    const halting = http.createServer((req, res) => {
      if (req.url?.startsWith('/api/sync/data/info') === true) {
        res.setHeader('Content-Type', 'application/json');
        res.end(info);
        return;
      }
      const site = (JSON.parse(info) as { site: string }).site;
      res.writeHead(200, { 'Content-Type': 'application/vnd.sqlite3', 'X-Content-SHA256': 'ab'.repeat(32), 'X-Sync-Site': site, 'X-Sync-Seq': '0', 'X-Snapshot-Bytes': '65536' });
      res.write(Buffer.alloc(4096)); // then nothing
    });
    await new Promise<void>((resolve) => halting.listen(0, '127.0.0.1', resolve));
    try {
      const db = path.join(temp.dir, 'halted', 'app.db');
      const run = await runCli(['join', '--from', `http://127.0.0.1:${(halting.address() as AddressInfo).port}/api/sync`, '--db', db, '--timeout', '500', '--json'], { SYNC_TOKEN: TEST_TOKEN });
      expect(run.code).toBe(1);
      const failure = (JSON.parse(run.stdout) as { error: { code: string; message: string } }).error;
      expect(failure.code).toBe('PEER_TIMEOUT');
      expect(failure.message).toMatch(/broke off after 4096 bytes: .*: the server stopped sending in the middle of its answer .*--timeout <ms>/);
      expect(failure.message).not.toMatch(/is --from its address/);
      expect(existsSync(path.dirname(db))).toBe(false);
    } finally {
      halting.closeAllConnections();
      await new Promise<void>((resolve) => halting.close(() => resolve()));
      await peer.server.close();
      peer.data.cleanup();
    }
  }, 30_000);
});
