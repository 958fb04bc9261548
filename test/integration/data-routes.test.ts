import request from 'supertest';
import type { WireChangeset } from '../../lib/data/changeset';
import { createSyncRouter } from '../../node/create-sync-router';
import { dbDigest, tempDb, trackedDb } from '../helpers/data';
import { makeApp, startServer, TEST_TOKEN, type TestServer } from '../helpers/server';

const auth = { Authorization: `Bearer ${TEST_TOKEN}` };

describe('data routes', () => {
  let server: TestServer;
  let source: ReturnType<typeof trackedDb>;
  beforeEach(async () => {
    source = trackedDb();
    source.db.exec("INSERT INTO teams VALUES ('t1', 'Robots', 254, 1.0, NULL), ('t2', 'Gears', 1114, NULL, x'01')");
    source.db.exec("INSERT INTO reports (id, team_id, match, scout, score) VALUES ('r1', 't1', 'Q1', 'ann', 3), ('r2', 't2', 'Q1', 'ann', 4)");
    server = await startServer(makeApp({ database: source.db, tables: ['teams', 'reports'], changesPageSize: 2, maxChangesPageSize: 3 }));
  });
  afterEach(async () => {
    await server.close();
    source.cleanup();
  });

  it('GET /data/info answers the site, protocol, schema fingerprint, seq, tables and its clock', async () => {
    const before = Date.now();
    const response = await request(server.url).get('/api/sync/data/info').set(auth);
    expect(response.status).toBe(200);
    expect(response.body).toEqual({
      site: source.tracker.siteId,
      protocol: 1,
      protocols: [1, 2],
      schema: source.tracker.schema,
      seq: 4,
      tables: ['teams', 'reports'],
      now: expect.any(Number),
      instance: expect.stringMatching(/^[0-9a-f]{16}$/),
    });
    expect((response.body as { now: number }).now).toBeGreaterThanOrEqual(before);
  });

  it('GET /data/changes pages with a cursor until `more` is false; the pages rebuild every row elsewhere', async () => {
    const target = trackedDb();
    try {
      let since = 0;
      let pages = 0;
      for (let more = true; more; pages += 1) {
        const response = await request(server.url).get('/api/sync/data/changes').query({ since, exclude_site: target.tracker.siteId }).set(auth);
        expect(response.status).toBe(200);
        const page = response.body as WireChangeset;
        expect(page.changes.length).toBeLessThanOrEqual(2);
        target.tracker.applyChangeset(page);
        ({ next: since = 0, more = false } = page);
      }
      expect(pages).toBe(2);
      expect(since).toBe(4);
      expect(dbDigest(target.db, true)).toBe(dbDigest(source.db, true));
    } finally {
      target.cleanup();
    }
  });

  it('POST /data/changes applies a changeset and answers applied, ignored, conflicts and the new seq; the sender is then excluded', async () => {
    const peer = trackedDb();
    try {
      peer.db.exec("INSERT INTO teams VALUES ('t9', 'New', 9, NULL, NULL)");
      const changeset = peer.tracker.readChanges(0, 10);
      const first = await request(server.url).post('/api/sync/data/changes').set(auth).send(changeset);
      expect(first.status).toBe(200);
      expect(first.body).toEqual({ received: 1, applied: 1, ignored: 0, conflicts: [], seq: 5 });
      const again = await request(server.url).post('/api/sync/data/changes').set(auth).send(changeset);
      expect(again.body).toEqual({ received: 1, applied: 0, ignored: 1, conflicts: [], seq: 5 });
      const back = await request(server.url).get('/api/sync/data/changes').query({ since: 4, exclude_site: peer.tracker.siteId }).set(auth);
      expect(back.body.changes).toEqual([]);
      expect(back.body.next).toBe(5);
      expect(source.tracker.pullCursor(peer.tracker.siteId)).toBe(changeset.next);
    } finally {
      peer.cleanup();
    }
  });

  it.each([
    ['since=-1', { since: '-1' }],
    ['since=abc', { since: 'abc' }],
    ['since=1.5', { since: '1.5' }],
    ['since=1e3', { since: '1e3' }],
    ['limit=0', { limit: '0' }],
    ['a bad exclude_site', { exclude_site: "x' OR 1=1 --" }],
    ['exclude_site twice', { exclude_site: ['a'.repeat(32), 'b'.repeat(32)] }],
  ])('GET /data/changes refuses %s with 400 BAD_QUERY', async (_name, query) => {
    const response = await request(server.url).get('/api/sync/data/changes').query(query).set(auth);
    expect([response.status, response.body.error.code]).toEqual([400, 'BAD_QUERY']);
  });

  it.each([
    [{ limit: '0' }, '`limit` must be an integer from 1 to'],
    [{ protocol: '0' }, '`protocol` must be an integer from 1 to'],
    [{ protocol: '-1' }, '`protocol` must be an integer from 1 to'],
    [{ since: '-1' }, '`since` must be an integer from 0 to'],
  ])('names the accepted range the same way for every number (%j)', async (query, message) => {
    const response = await request(server.url).get('/api/sync/data/changes').query(query).set(auth);
    expect([response.status, response.body.error.code]).toEqual([400, 'BAD_QUERY']);
    expect(response.body.error.message).toContain(message);
  });

  it('records no mark for a since beyond its seq (marks name seqs its history has)', async () => {
    const seq = source.tracker.info().seq;
    const response = await request(server.url).get('/api/sync/data/changes').query({ since: String(seq + 100) }).set(auth);
    expect(response.status).toBe(200);
    expect(response.body.mark).toBeUndefined();
    expect(source.db.prepare('SELECT count(*) FROM _sync_marks WHERE seq > ?').pluck().get(seq)).toBe(0);
  });

  it('caps a limit above maxChangesPageSize instead of refusing it', async () => {
    const response = await request(server.url).get('/api/sync/data/changes').query({ limit: '5000' }).set(auth);
    expect(response.status).toBe(200);
    expect((response.body as WireChangeset).changes.length).toBeLessThanOrEqual(3 + 2); // 3 rows, plus parents pulled forward
    expect((response.body as WireChangeset).more).toBe(true);
  });

  it('requires the token', async () => {
    const response = await request(server.url).get('/api/sync/data/info');
    expect([response.status, response.body.error.code]).toEqual([401, 'UNAUTHORIZED']);
  });
});

describe('data router options', () => {
  it('has no data endpoints without a database', async () => {
    const server = await startServer(makeApp({}));
    try {
      const response = await request(server.url).get('/api/sync/data/info').set(auth);
      expect([response.status, response.body.error.code]).toEqual([404, 'DATA_OFF']);
    } finally {
      await server.close();
    }
  });

  it.each([
    ['tables without a database', { tables: ['teams'] }, TypeError, /`tables` needs `database`/],
    ['a database without tables', { database: 'db' }, TypeError, /needs `tables`/],
    ['a database that is not one', { database: {}, tables: ['teams'] }, TypeError, /better-sqlite3 Database/],
    ['maxChangesetBytes 0', { database: 'db', tables: ['teams'], maxChangesetBytes: 0 }, RangeError, /maxChangesetBytes/],
    ['maxClockSkewMs -1', { database: 'db', tables: ['teams'], maxClockSkewMs: -1 }, RangeError, /maxClockSkewMs/],
    ['a page size above the maximum', { database: 'db', tables: ['teams'], changesPageSize: 10, maxChangesPageSize: 5 }, RangeError, /changesPageSize/],
    ['a misspelt option', { database: 'db', tables: ['teams'], maxChangesetByte: 5 }, TypeError, /unknown option\(s\) maxChangesetByte/],
  ] as const)('refuses %s at construction', (_name, options, type, message) => {
    const temp = tempDb('CREATE TABLE teams (id TEXT PRIMARY KEY NOT NULL)');
    try {
      const resolved = { ...options, ...('database' in options && options.database === 'db' ? { database: temp.db } : {}) };
      expect(() => createSyncRouter({ token: TEST_TOKEN, ...(resolved as object) })).toThrow(type);
      expect(() => createSyncRouter({ token: TEST_TOKEN, ...(resolved as object) })).toThrow(message);
    } finally {
      temp.cleanup();
    }
  });

  it('refuses a table it cannot track at construction', () => {
    const temp = tempDb('CREATE TABLE counters (id INTEGER PRIMARY KEY, n INTEGER)');
    try {
      expect(() => createSyncRouter({ token: TEST_TOKEN, database: temp.db, tables: ['counters'] })).toThrow(expect.objectContaining({ code: 'CAPTURE_REFUSED' }));
    } finally {
      temp.cleanup();
    }
  });
});
