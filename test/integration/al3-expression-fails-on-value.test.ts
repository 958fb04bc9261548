import type { WireChangeset } from '../../lib/data/wire-schema';
import { enableCapture } from '../../lib/data/capture';
import type { ChangeTracker } from '../../lib/data/change-tracker';
import { pullAll, tempDb, type TempDb } from '../helpers/data';
import { expectPageRefused } from '../helpers/refused-page';
import { makeApp, startServer, type TestServer } from '../helpers/server';

// A value that an expression of the receiver's schema fails on (json_extract of text that is not
// JSON in a CHECK, a generated column, an index or an app trigger; abs() of -2^63) made SQLite
// throw a plain SQLITE_ERROR while the page was written: answered 500 "internal error", so the
// sender never learnt why. It is 400 INVALID_VALUE now, naming the row and SQLite's words, nothing
// written; the honest page after it still applies and the servers converge.
const SCHEMAS: ReadonlyArray<readonly [string, string]> = [
  ['a CHECK calling json_extract', "CREATE TABLE t (id TEXT PRIMARY KEY NOT NULL, u TEXT, v TEXT CHECK (json_extract(v, '$.a') IS NOT 0))"],
  ['a STORED generated column', "CREATE TABLE t (id TEXT PRIMARY KEY NOT NULL, u TEXT, v TEXT, g TEXT AS (json_extract(v, '$.a')) STORED)"],
  ['an index on an expression', "CREATE TABLE t (id TEXT PRIMARY KEY NOT NULL, u TEXT, v TEXT); CREATE INDEX t_a ON t (json_extract(v, '$.a'))"],
  ['a partial index', "CREATE TABLE t (id TEXT PRIMARY KEY NOT NULL, u TEXT, v TEXT); CREATE INDEX t_a ON t (id) WHERE json_extract(v, '$.a') > 0"],
  ['an app trigger', "CREATE TABLE t (id TEXT PRIMARY KEY NOT NULL, u TEXT, v TEXT); CREATE TABLE audit (a); CREATE TRIGGER t_audit AFTER INSERT ON t BEGIN INSERT INTO audit VALUES (json_extract(NEW.v, '$.a')); END"],
  // The row waits parked (UNIQUE) before the expression index is reached; it fails when the holder's death lets it in.
  ['an index reached when a parked row comes in', "CREATE TABLE t (id TEXT PRIMARY KEY NOT NULL, u TEXT, v TEXT); CREATE INDEX t_a ON t (json_extract(v, '$.a')); CREATE UNIQUE INDEX t_u ON t (u)"],
];

describe('POST /data/changes: a value an expression of the schema fails on', () => {
  let dbs: TempDb[] = [];
  let server: TestServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
    for (const temp of dbs) temp.cleanup();
    dbs = [];
  });
  function tracked(schema: string): { temp: TempDb; tracker: ChangeTracker } {
    const temp = tempDb(schema);
    dbs.push(temp);
    return { temp, tracker: enableCapture(temp.db, { tables: ['t'] }) };
  }
  const rows = (temp: TempDb): unknown => temp.db.prepare('SELECT id, u, v FROM t ORDER BY id').raw(true).all();

  it.each(SCHEMAS)('%s: 400 INVALID_VALUE, nothing written, and the servers still converge', async (_name, schema) => {
    const target = tracked(schema);
    const sender = tracked(schema);
    sender.temp.db.exec(`INSERT INTO t VALUES ('r1', 'x', '{"a":1}')`);
    pullAll(sender.tracker, target.tracker);
    sender.temp.db.exec(`DELETE FROM t WHERE id = 'r1'; INSERT INTO t VALUES ('r2', 'x', '{"a":2}')`);
    server = await startServer(makeApp({ database: target.temp.db, tables: ['t'] }));
    const honest = sender.tracker.readChanges(target.tracker.pullCursor(sender.tracker.siteId), 100);
    const hostile = structuredClone(honest) as WireChangeset;
    const born = hostile.changes.find((change) => change.key[0] === 'r2');
    born!.cells = { ...born!.cells, v: 'not json' };
    hostile.changes.reverse(); // r2 first, while r1 holds u = 'x': parked where a UNIQUE index comes first
    await expectPageRefused(server.url, { db: target.temp.db, tracker: target.tracker }, hostile, 400, 'INVALID_VALUE');

    pullAll(sender.tracker, target.tracker);
    pullAll(target.tracker, sender.tracker);
    expect(rows(target.temp)).toEqual([['r2', 'x', '{"a":2}']]);
    expect(rows(target.temp)).toEqual(rows(sender.temp));
  });
});
