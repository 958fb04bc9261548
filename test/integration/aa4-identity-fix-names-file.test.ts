import { copyFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import Database from 'better-sqlite3';
import request from 'supertest';
import { enableCapture } from '../../lib/data/capture';
import type { ChangeTracker } from '../../lib/data/change-tracker';
import { silentLogger } from '../../lib/logger';
import { cloneError } from '../../lib/peers/nats/subject-checks';
import { SyncClient } from '../../lib/peers/sync-client';
import { TEST_SCHEMA } from '../helpers/data';
import { makeApp, startServer, TEST_TOKEN, type TestServer } from '../helpers/server';
import { tempDir } from '../helpers/temp';

const auth = { Authorization: `Bearer ${TEST_TOKEN}` };
const TABLES = ['teams', 'reports'];
const OTHER = '`npx express-sqlite-sync new-site-id --db <its database>`';

/** A tracked database at `file` (made with the test schema when new). */
function open(file: string, fresh: boolean): { db: Database.Database; tracker: ChangeTracker } {
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('foreign_keys = ON');
  if (fresh) db.exec(TEST_SCHEMA);
  return { db, tracker: enableCapture(db, { tables: TABLES }) };
}

/** `'…'` as a POSIX shell writes a path with a space and a `'` in it. */
function quoted(file: string): string {
  return `'${file.replaceAll("'", "'\\''")}'`;
}

/**
 * The one-line fix of an identity fault names this server's own database file
 * (shell-quoted) where the fix may be about it, and keeps `<its database>` for
 * the other server's, or when this server's database has no file.
 */
describe('identity faults name this server\'s database file in their fix', () => {
  let temp: ReturnType<typeof tempDir>;
  const closing: (() => unknown)[] = [];
  beforeEach(() => {
    temp = tempDir('aa4-id fix-');
  });
  afterEach(async () => {
    for (const close of closing.splice(0).reverse()) await close();
    temp.cleanup();
  });

  it('POST /data/changes of a page under the receiver\'s own site id: 409 SAME_SITE_ID naming its file', async () => {
    const file = path.join(temp.dir, "scout's app.db");
    const here = open(file, true);
    closing.push(() => here.db.close());
    const other = open(path.join(temp.dir, 'other.db'), true);
    closing.push(() => other.db.close());
    other.db.exec("INSERT INTO teams VALUES ('t1', 'Robots', 254, NULL, NULL)");
    const server: TestServer = await startServer(makeApp({ database: here.db, tables: TABLES }));
    closing.push(() => server.close());

    const page = { ...other.tracker.readChanges(0, 100), site: here.tracker.siteId };
    const answer = await request(server.url).post('/api/sync/data/changes').set(auth).send(page);
    expect({ status: answer.status, code: answer.body.error?.code }).toEqual({ status: 409, code: 'SAME_SITE_ID' });
    expect(answer.body.error.message).toContain(`\`npx express-sqlite-sync new-site-id --db ${quoted(file)}\` when it is this server, ${OTHER} on the other one`);
  });

  it('a database without a file keeps the placeholder alone', async () => {
    const here = open(':memory:', true);
    closing.push(() => here.db.close());
    const other = open(path.join(temp.dir, 'other.db'), true);
    closing.push(() => other.db.close());
    other.db.exec("INSERT INTO teams VALUES ('t1', 'Robots', 254, NULL, NULL)");
    const page = { ...other.tracker.readChanges(0, 100), site: here.tracker.siteId };
    expect(() => here.tracker.applyChangeset(page)).toThrow(expect.objectContaining({ code: 'SAME_SITE_ID', message: expect.stringContaining(`stop it and run ${OTHER}; a server`) as string }));
  });

  it('a peer that is a copy of this database: SAME_SITE_ID from the handshake names this server\'s file and the other\'s placeholder', async () => {
    const original = path.join(temp.dir, 'a.db');
    const a = open(original, true);
    a.db.exec("INSERT INTO teams VALUES ('t1', 'Robots', 254, NULL, NULL)");
    a.db.close();
    const copy = path.join(temp.dir, 'b copy.db');
    copyFileSync(original, copy);
    const forget = new Database(copy);
    forget.prepare('UPDATE _sync_state SET file_id = NULL WHERE id = 1').run(); // a copy its start cannot tell apart
    forget.close();
    const served = open(original, false);
    closing.push(() => served.db.close());
    const server = await startServer(makeApp({ database: served.db, tables: TABLES }));
    closing.push(() => server.close());
    const here = open(copy, false);
    closing.push(() => here.db.close());
    expect(here.tracker.siteId).toBe(served.tracker.siteId);

    const client = new SyncClient({ logger: silentLogger, peers: [`${server.url}/api/sync`], token: TEST_TOKEN, data: here.tracker, stateDir: temp.dir, peerCompression: 'identity' });
    closing.push(() => client.stop());
    const [result] = await client.syncAll();
    expect(result?.error?.code).toBe('SAME_SITE_ID');
    expect(result?.error?.message).toContain(`Give a copy a new identity: stop it and run \`npx express-sqlite-sync new-site-id --db ${quoted(copy)}\` when it is this server, ${OTHER} on the other one`);
  });

  it('a peer whose pages carry this server\'s site id: the pull\'s SAME_SITE_ID names this server\'s file', async () => {
    const file = path.join(temp.dir, 'my app.db');
    const ours = open(file, true);
    closing.push(() => ours.db.close());
    const theirs = open(path.join(temp.dir, 'theirs.db'), true);
    closing.push(() => theirs.db.close());
    theirs.db.exec("INSERT INTO teams VALUES ('t1', 'Robots', 254, NULL, NULL)");
    const real = await startServer(makeApp({ database: theirs.db, tables: TABLES }));
    closing.push(() => real.close());
    const hostile = http.createServer((req, res) => {
      void (async () => {
        const upstream = await fetch(`${real.url}${req.url ?? '/'}`, { method: req.method, headers: { authorization: req.headers.authorization ?? '' } });
        let body = Buffer.from(await upstream.arrayBuffer());
        if (req.method === 'GET' && (req.url ?? '').startsWith('/api/sync/data/changes') && upstream.status === 200) {
          body = Buffer.from(JSON.stringify({ ...(JSON.parse(body.toString('utf8')) as object), site: ours.tracker.siteId }));
        }
        res.writeHead(upstream.status, { 'content-type': upstream.headers.get('content-type') ?? 'application/json' });
        res.end(body);
      })().catch(() => res.destroy());
    });
    await new Promise<void>((resolve) => hostile.listen(0, '127.0.0.1', resolve));
    closing.push(() => new Promise<void>((resolve) => hostile.close(() => resolve())));
    const url = `http://127.0.0.1:${(hostile.address() as AddressInfo).port}/api/sync`;
    const client = new SyncClient({ logger: silentLogger, peers: [url], token: TEST_TOKEN, data: ours.tracker, stateDir: temp.dir, peerCompression: 'identity' });
    closing.push(() => client.stop());
    const [result] = await client.syncAll();
    expect(result?.error?.code).toBe('SAME_SITE_ID');
    expect(result?.error?.message).toContain(`stop the copy and run \`npx express-sqlite-sync new-site-id --db ${quoted(file)}\` when it is this server, ${OTHER} on the other one`);
  });

  it('NATS: another process publishing as this site stops this server, whose file the fix names; without a file, the placeholder', () => {
    const file = path.join(temp.dir, 'app.db');
    expect(cloneError('sync.site', 'a page', file).message).toContain(`stop it and run \`npx express-sqlite-sync new-site-id --db ${quoted(file)}\` on it`);
    expect(cloneError('sync.site', 'a page', undefined).message).toContain(`stop it and run ${OTHER} on it`);
  });
});
