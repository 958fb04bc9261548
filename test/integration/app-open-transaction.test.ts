import request from 'supertest';
import type { WireChangeset } from '../../lib/data/changeset';
import { trackedDb } from '../helpers/data';
import { makeApp, startServer, TEST_TOKEN, type TestServer } from '../helpers/server';

// An app that holds a transaction open on the connection sync uses (BEGIN,
// then an await) must not have peers served from inside it: a page read then
// holds writes that may still roll back (the peer would keep rows this server
// never committed), and a page applied then may vanish with the rollback after
// the pusher was told it was applied. Such requests get 409 IN_TRANSACTION and
// the peer tries again later.
describe("data routes while the app holds a transaction open on the sync connection", () => {
  let server: TestServer;
  let target: ReturnType<typeof trackedDb>;
  let page: WireChangeset;
  const auth = { Authorization: `Bearer ${TEST_TOKEN}` };

  beforeAll(() => {
    const source = trackedDb();
    try {
      source.db.exec("INSERT INTO teams VALUES ('t2', 'Sprockets', 1114, 2.5, NULL)");
      page = source.tracker.readChanges(0, 100);
    } finally {
      source.cleanup();
    }
  });
  beforeEach(async () => {
    target = trackedDb();
    target.db.exec("INSERT INTO teams VALUES ('t1', 'Robots', 254, 1.0, NULL)");
    server = await startServer(makeApp({ database: target.db, tables: ['teams', 'reports'] }));
  });
  afterEach(async () => {
    if (target.db.inTransaction) target.db.exec('ROLLBACK');
    await server.close();
    target.cleanup();
  });

  it('GET /data/changes is 409 IN_TRANSACTION, and after the rollback serves none of the rolled-back rows', async () => {
    target.db.exec("BEGIN; INSERT INTO teams VALUES ('uncommitted', 'Ghost', 1, 1.0, NULL)");
    const refused = await request(server.url).get('/api/sync/data/changes?since=0').set(auth);
    expect(refused.status).toBe(409);
    expect(refused.body).toEqual({ error: { code: 'IN_TRANSACTION', message: expect.stringContaining('transaction open') } });
    target.db.exec('ROLLBACK');
    const served = await request(server.url).get('/api/sync/data/changes?since=0').set(auth);
    expect(served.status).toBe(200);
    const keys = (served.body as WireChangeset).changes.map((change) => change.key[0]);
    expect(keys).toEqual(['t1']);
  });

  it('POST /data/changes is 409 IN_TRANSACTION with nothing written, and applies once the transaction has ended (foreign keys off, too)', async () => {
    target.db.pragma('foreign_keys = OFF'); // with them on, applyChangeset itself refuses (a tracked table has one)
    target.db.exec('BEGIN');
    const refused = await request(server.url).post('/api/sync/data/changes').set(auth).send(page);
    expect(refused.status).toBe(409);
    expect((refused.body as { error: { code: string } }).error.code).toBe('IN_TRANSACTION');
    target.db.exec('COMMIT');
    expect(target.db.prepare("SELECT count(*) FROM teams WHERE id = 't2'").pluck().get()).toBe(0);
    const applied = await request(server.url).post('/api/sync/data/changes').set(auth).send(page);
    expect(applied.status).toBe(200);
    expect(target.db.prepare("SELECT count(*) FROM teams WHERE id = 't2'").pluck().get()).toBe(1);
  });

  it('POST /data/conflicts/:id/resolve is 409 IN_TRANSACTION (foreign keys off, too)', async () => {
    target.db.pragma('foreign_keys = OFF');
    target.db.exec('BEGIN');
    const refused = await request(server.url).post('/api/sync/data/conflicts/0123456789abcdef/resolve').set(auth).send({ action: 'discard' });
    expect(refused.status).toBe(409);
    expect((refused.body as { error: { code: string } }).error.code).toBe('IN_TRANSACTION');
  });

  it("the tracker's pages for pushing are refused too, while the app's own readChanges is not", () => {
    target.db.exec('BEGIN');
    expect(() => target.tracker.readChangesToSend(0, 10, '2'.repeat(32))).toThrow(expect.objectContaining({ code: 'IN_TRANSACTION', status: 409 }));
    expect(target.tracker.readChanges(0, 10).changes).toHaveLength(1);
  });
});
