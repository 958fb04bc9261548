import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import request from 'supertest';
import { silentLogger } from '../../lib/logger';
import { SyncClient } from '../../lib/peers/sync-client';
import { dbDigest, trackedDb } from '../helpers/data';
import { makeApp, startServer, TEST_TOKEN, type TestServer } from '../helpers/server';

const auth = { Authorization: `Bearer ${TEST_TOKEN}` };

type Page = Record<string, unknown> & { site: string };

/**
 * A page whose envelope `site` is the receiver's own site id is an identity
 * fault: a copy of its database (a clone) or a loop sent it. Before, it was
 * applied (200, its rows written); now it is 409 `SAME_SITE_ID` and nothing
 * of it is written, over HTTP and through the tracker.
 */
describe("a page sent as the receiver's own site", () => {
  let here: ReturnType<typeof trackedDb>;
  let other: ReturnType<typeof trackedDb>;
  let server: TestServer;
  beforeEach(async () => {
    here = trackedDb();
    other = trackedDb();
    here.db.exec("INSERT INTO teams VALUES ('t0', 'Mine', 1, NULL, NULL)");
    other.db.exec("INSERT INTO teams VALUES ('t1', 'Robots', 254, 1.0, NULL), ('t2', 'Gears', 1114, NULL, x'01')");
    server = await startServer(makeApp({ database: here.db, tables: ['teams', 'reports'] }));
  });
  afterEach(async () => {
    await server.close();
    here.cleanup();
    other.cleanup();
  });

  /** The other database's page, its envelope claiming to come from `here` (a clone of `here` wrote these rows). */
  const forged = (protocol: 1 | 2): Page => {
    const page = (protocol === 2 ? other.tracker.readCompactChanges(0, 100) : other.tracker.readChanges(0, 100)) as unknown as Page;
    return { ...page, site: here.tracker.siteId };
  };

  it.each([1, 2] as const)('POST /data/changes (protocol %s) is 409 SAME_SITE_ID, nothing written', async (protocol) => {
    const before = dbDigest(here.db);
    const answer = await request(server.url).post('/api/sync/data/changes').set(auth).send(forged(protocol));
    expect({ status: answer.status, code: answer.body.error?.code }).toEqual({ status: 409, code: 'SAME_SITE_ID' });
    expect(answer.body.error.message).toContain('new-site-id');
    expect(dbDigest(here.db)).toEqual(before);
    expect(here.tracker.pullCursor(here.tracker.siteId)).toBe(0);
  });

  it("this server's own page sent back to it is refused the same way", async () => {
    here.db.exec("UPDATE teams SET name = 'Mine again' WHERE id = 't0'");
    const own = here.tracker.readChanges(0, 100);
    const before = dbDigest(here.db);
    const answer = await request(server.url).post('/api/sync/data/changes').set(auth).send(own);
    expect({ status: answer.status, code: answer.body.error?.code }).toEqual({ status: 409, code: 'SAME_SITE_ID' });
    expect(dbDigest(here.db)).toEqual(before);
  });

  it('tracker.applyChangesets refuses the whole group, the good pages before it included', () => {
    const good = other.tracker.readChanges(0, 1);
    const before = dbDigest(here.db);
    expect(() => here.tracker.applyChangesets([good, forged(1)])).toThrow(expect.objectContaining({ code: 'SAME_SITE_ID', status: 409 }));
    expect(dbDigest(here.db)).toEqual(before);
    expect(here.tracker.applyChangeset(good).applied).toBe(1); // the good page alone still applies
  });
});

/**
 * A peer whose pages carry this server's own site id (after a handshake that
 * answered another one): the pull fails, nothing of the page is applied.
 */
describe('a pull from a peer that answers with our site id', () => {
  it('fails the round and applies nothing', async () => {
    const ours = trackedDb();
    const theirs = trackedDb();
    theirs.db.exec("INSERT INTO teams VALUES ('t1', 'Robots', 254, 1.0, NULL)");
    const real = await startServer(makeApp({ database: theirs.db, tables: ['teams', 'reports'] }));
    // In front of the peer: its pages say they come from us.
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
    const url = `http://127.0.0.1:${(hostile.address() as AddressInfo).port}/api/sync`;
    const client = new SyncClient({ logger: silentLogger, peers: [url], token: TEST_TOKEN, data: ours.tracker, stateDir: path.dirname(ours.file), peerCompression: 'identity' });
    try {
      const before = dbDigest(ours.db, true);
      const [result] = await client.syncAll();
      expect(result?.ok).toBe(false);
      expect(result?.error?.code).toBe('SAME_SITE_ID');
      expect(result?.error?.message).toMatch(/new-site-id/);
      expect(dbDigest(ours.db, true)).toEqual(before); // the tables: the handshake notes the peer in _sync_ tables
      expect(ours.db.prepare('SELECT count(*) FROM teams').pluck().get()).toBe(0);
    } finally {
      await client.stop();
      await new Promise<void>((resolve) => hostile.close(() => resolve()));
      await real.close();
      ours.cleanup();
      theirs.cleanup();
    }
  });
});
