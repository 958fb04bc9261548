import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { existsSync } from 'node:fs';
import { tempDb, type TempDb } from '../helpers/data';
import { runCli } from '../helpers/h7-cli';
import { makeApp, startServer, TEST_TOKEN, type TestServer } from '../helpers/server';
import { tempDir } from '../helpers/temp';

const SCHEMA = 'CREATE TABLE notes (id TEXT PRIMARY KEY NOT NULL, body TEXT);';

/**
 * `join` whose pull after the snapshot fails (the peer answers its pages with 503 BUSY): the
 * database is in place, exit code 2, and the failure is said with its code, as `sync` and
 * `status` say a peer's failure: on stderr `(<code>: <message>)`, with `--json` as `pullError`.
 */
describe('express-sqlite-sync join: the pull after the snapshot fails', () => {
  let db: TempDb;
  let peer: TestServer;
  let proxy: http.Server;
  let url: string;
  let temp: ReturnType<typeof tempDir>;
  beforeAll(async () => {
    temp = tempDir('ess-h6-join-pull-');
    db = tempDb(SCHEMA);
    peer = await startServer(makeApp({ name: 'peer', database: db.db, tables: ['notes'] }));
    db.db.prepare("INSERT INTO notes VALUES ('n1', 'one')").run();
    // In front of the peer: every page of changes is 503 BUSY; everything else goes through.
    proxy = http.createServer((req, res) => {
      if (req.method === 'GET' && (req.url ?? '').startsWith('/api/sync/data/changes')) {
        res.writeHead(503, { 'Content-Type': 'application/json' }).end(JSON.stringify({ error: { code: 'BUSY', message: 'the peer is busy' } }));
        return;
      }
      const forward = http.request({ host: '127.0.0.1', port: peer.port, path: req.url, method: req.method, headers: req.headers }, (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      });
      forward.on('error', () => res.destroy());
      req.pipe(forward);
    });
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}/api/sync`;
  });
  afterAll(async () => {
    proxy.closeAllConnections();
    await new Promise<void>((resolve) => proxy.close(() => resolve()));
    await peer.close();
    db.cleanup();
    temp.cleanup();
  });

  it('text: exit 2, the database in place, the code and message on stderr', async () => {
    const target = path.join(temp.dir, 'text', 'app.db');
    const result = await runCli(['join', '--from', url, '--db', target, '--token', TEST_TOKEN, '--timeout', '10000']);
    expect(result.code).toBe(2);
    expect(existsSync(target)).toBe(true);
    expect(result.stderr).toBe('express-sqlite-sync: the snapshot is in place, but the pull after it failed (BUSY: GET data/changes: the peer is busy); the server catches up at its first sync\n');
  });

  it('--json: exit 2, pullError with its code', async () => {
    const target = path.join(temp.dir, 'json', 'app.db');
    const result = await runCli(['join', '--from', url, '--db', target, '--token', TEST_TOKEN, '--timeout', '10000', '--json']);
    expect(result.code).toBe(2);
    expect(JSON.parse(result.stdout)).toMatchObject({ pullError: { code: 'BUSY', message: 'GET data/changes: the peer is busy' } });
  });
});
