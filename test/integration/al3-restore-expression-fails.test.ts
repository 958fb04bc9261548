import request from 'supertest';
import { enableCapture } from '../../lib/data/capture';
import { dbDigest, pullAll, tempDb, type TempDb } from '../helpers/data';
import { makeApp, startServer, TEST_TOKEN, type TestServer } from '../helpers/server';

// Restoring a parked row with a value that an expression of the schema fails on (json_extract of
// text that is not JSON, in a CHECK) made SQLite throw a plain SQLITE_ERROR as the row came back:
// answered 500 "internal error". It is 400 INVALID_RESOLUTION now with SQLite's words, nothing
// written; a restore with values the schema takes then goes through and reaches the other server.
const SCHEMA = "CREATE TABLE t (id TEXT PRIMARY KEY NOT NULL, u TEXT UNIQUE, v TEXT CHECK (json_extract(v, '$.a') IS NOT 0))";

describe('POST /data/conflicts/:id/resolve with a value a CHECK expression fails on', () => {
  let dbs: TempDb[] = [];
  let server: TestServer | undefined;
  afterEach(async () => {
    await server?.close();
    for (const temp of dbs) temp.cleanup();
    dbs = [];
  });

  it('is 400 INVALID_RESOLUTION, writes nothing, and a good restore after it converges', async () => {
    dbs = [tempDb(SCHEMA), tempDb(SCHEMA)];
    const [a, b] = dbs as [TempDb, TempDb];
    const [ta, tb] = [enableCapture(a.db, { tables: ['t'] }), enableCapture(b.db, { tables: ['t'] })];
    a.db.exec(`INSERT INTO t VALUES ('r1', 'x', '{}')`);
    b.db.exec(`INSERT INTO t VALUES ('r2', 'x', '{}')`);
    pullAll(ta, tb);
    pullAll(tb, ta);
    server = await startServer(makeApp({ database: a.db, tables: ['t'] }));
    const auth = { Authorization: `Bearer ${TEST_TOKEN}` };
    const { conflicts } = (await request(server.url).get('/api/sync/data/conflicts').set(auth)).body as { conflicts: { id: string }[] };
    const resolve = `/api/sync/data/conflicts/${conflicts[0]!.id}/resolve`;
    ta.fold();
    const before = dbDigest(a.db);

    const refused = await request(server.url).post(resolve).set(auth).send({ action: 'restore', values: { u: 'y', v: 'not json' } });
    expect([refused.status, refused.body.error.code]).toEqual([400, 'INVALID_RESOLUTION']);
    expect(refused.body.error.message).toMatch(/SQLite says "malformed JSON"/);
    expect(dbDigest(a.db)).toBe(before);

    const restored = await request(server.url).post(resolve).set(auth).send({ action: 'restore', values: { u: 'y', v: '{"a":1}' } });
    expect(restored.status).toBe(200);
    pullAll(ta, tb);
    pullAll(tb, ta);
    const rows = (temp: TempDb): unknown => temp.db.prepare('SELECT id, u, v FROM t ORDER BY id').raw(true).all();
    expect(rows(a)).toHaveLength(2);
    expect(rows(b)).toEqual(rows(a));
  });
});
