import { keyFormRows, syncToQuiescence, trackedServers, type TrackedServer } from '../../helpers/data';

/**
 * A live row can be parked (a UNIQUE rule keeps it out of its table, on every server alike). Its table
 * holds no row of its key, so an INSERT of that key (or an UPDATE moving another row onto it) succeeds
 * and replaces nothing, but it writes the parked row's life again: in another storage class (`2.0` for a
 * parked `2`, `-0.0` for `0.0`, the REAL -2^63 for the INTEGER), the writer kept the new form and its
 * peers the parked row's, for good. The reform trigger looks in the parked rows too.
 */
const SCHEMA = `
CREATE TABLE loose (k NOT NULL PRIMARY KEY, u TEXT UNIQUE, v TEXT);
CREATE TABLE ints (k INTEGER NOT NULL PRIMARY KEY, u TEXT UNIQUE, v TEXT) WITHOUT ROWID;
`;
const TABLES = ['loose', 'ints'];
const MIN_INT = -(2n ** 63n);
const MIN_REAL = -9223372036854775808;

type Server = TrackedServer;

/** Every row of every table (its key by class, quote() and hex), and the conflicts without their local time. */
function state(server: Server): unknown[] {
  const rows = (table: string) => keyFormRows(server.temp.db, table);
  const conflicts = server.tracker.listConflicts().map((conflict) => ({ ...conflict, at: '' }));
  return [...TABLES.map(rows), conflicts];
}

describe('a write of a parked row key in another storage class', () => {
  let servers: Server[];
  beforeEach(() => {
    servers = trackedServers(2, SCHEMA, TABLES);
  });
  afterEach(() => {
    for (const server of servers) server.temp.cleanup();
  });

  /** Syncs both ways to quiescence. */
  function sync(): void {
    syncToQuiescence(servers.map((server) => server.tracker));
  }

  /** `a` writes `holder`, `b` then `parked` (a few ms later), both with the UNIQUE value 'x': `parked` is parked everywhere. */
  function park(table: string, holder: bigint | number, parked: bigint | number): void {
    const [a, b] = servers as [Server, Server];
    a.temp.db.prepare(`INSERT INTO ${table} (k, u, v) VALUES (?, 'x', 'holder')`).run(holder);
    for (const start = Date.now(); Date.now() < start + 5; );
    b.temp.db.prepare(`INSERT INTO ${table} (k, u, v) VALUES (?, 'x', 'parked')`).run(parked);
    sync();
    for (const server of servers) expect(server.tracker.listConflicts().map((conflict) => conflict.parked?.["v"])).toEqual(["parked"]);
  }

  it.each<[string, string, bigint | number, bigint | number, string, unknown[]]>([
    ['an INSERT of 2.0 over a parked 2', 'loose', 2n, 2, "INSERT INTO loose (k, u, v) VALUES (?, 'y', 'new')", []],
    ['an INSERT of 2 over a parked 2.0', 'loose', 2, 2n, "INSERT INTO loose (k, u, v) VALUES (?, 'y', 'new')", []],
    ['an INSERT of -0.0 over a parked 0.0', 'loose', 0, -0, "INSERT INTO loose (k, u, v) VALUES (?, 'y', 'new')", []],
    ['an INSERT OR REPLACE of the REAL -2^63 over the parked INTEGER', 'ints', MIN_INT, MIN_REAL, "INSERT OR REPLACE INTO ints (k, u, v) VALUES (?, 'y', 'new')", []],
    ['an UPDATE moving another row onto 2.0, 2 parked', 'loose', 2n, 2, "UPDATE loose SET k = ?, u = 'y' WHERE k = 5", [5n]],
  ])('%s: every server ends with the new form', (_name, table, parked, written, sql, others) => {
    const [a, b] = servers as [Server, Server];
    for (const other of others) a.temp.db.prepare(`INSERT INTO ${table} (k, u, v) VALUES (?, 'z', 'other')`).run(other);
    park(table, 1n, parked);
    b.temp.db.prepare(sql).run(written);
    const mine = state(b);
    expect(mine.flat(1)).toContainEqual(expect.arrayContaining([typeof written === 'bigint' ? 'integer' : 'real', 'y']));
    sync();
    expect(state(a)).toEqual(mine);
    expect(state(b)).toEqual(mine);
  });

  it('an INSERT of a parked key in its own form is the same life, as before', () => {
    const [a, b] = servers as [Server, Server];
    park('loose', 1n, 2n);
    b.temp.db.prepare("INSERT INTO loose (k, u, v) VALUES (?, 'y', 'new')").run(2n);
    const cl = (server: Server) => server.temp.db.prepare("SELECT cl FROM _sync_rows WHERE pk = 2 AND tbl = (SELECT id FROM _sync_tables WHERE name = 'loose')").pluck().get();
    expect(servers.map(cl)).toEqual([1, 1]);
    const mine = state(b);
    sync();
    expect(state(a)).toEqual(mine);
    expect(servers.map(cl)).toEqual([1, 1]);
  });
});
