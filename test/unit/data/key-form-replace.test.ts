import type Database from 'better-sqlite3';
import { enableCapture } from '../../../lib/data/capture';
import type { ChangeTracker } from '../../../lib/data/change-tracker';
import { pullRound, syncToQuiescence, tempDb, type TempDb } from '../../helpers/data';

/**
 * A REPLACE that writes a live row's key again in another storage class — `1.0` over `1` in a key
 * column without affinity, the REAL -2^63 over the INTEGER -2^63 in an INTEGER or NUMERIC one, `-0.0`
 * over `0.0` without affinity — deletes the old row with no delete trigger (without
 * `recursive_triggers`), and the insert trigger sees a row of the same key: the same life written
 * again. The writer kept the new form and its peers the old one, for good. Such a REPLACE is now the
 * row's next life, in its new form, on every server; a statement that does not replace the row
 * (OR IGNORE, OR FAIL, OR ABORT, an UPSERT) changes no life.
 */
const SCHEMA = `
CREATE TABLE loose (k NOT NULL PRIMARY KEY, v TEXT);
CREATE TABLE pairs (k NOT NULL, j TEXT NOT NULL, v TEXT, PRIMARY KEY (k, j)) WITHOUT ROWID;
CREATE TABLE ints (k INTEGER NOT NULL PRIMARY KEY, v TEXT) WITHOUT ROWID;
CREATE TABLE nums (k NUMERIC NOT NULL PRIMARY KEY, v TEXT);
CREATE TABLE swap (k NOT NULL PRIMARY KEY ON CONFLICT REPLACE, v TEXT);
CREATE TABLE uniq (k NOT NULL PRIMARY KEY, u TEXT UNIQUE, v TEXT);
CREATE TABLE words (k TEXT NOT NULL PRIMARY KEY, v TEXT);
CREATE TABLE reals (k REAL NOT NULL PRIMARY KEY, v TEXT);
CREATE TABLE kids (id TEXT NOT NULL PRIMARY KEY, parent REFERENCES loose (k), gone REFERENCES swap (k) ON DELETE CASCADE);
`;
const TABLES = ['loose', 'pairs', 'ints', 'nums', 'swap', 'uniq', 'words', 'reals', 'kids'];
type Table = 'loose' | 'pairs' | 'ints' | 'nums' | 'swap' | 'uniq';
const MIN_INT = -(2n ** 63n);
const MIN_REAL = -9223372036854775808;

interface Server {
  readonly temp: TempDb;
  readonly tracker: ChangeTracker;
}

/** How a statement is run: on the tracker's connection, on another one (the sqlite3 shell), or on one with recursive_triggers. */
type Via = 'tracker' | 'other' | 'recursive';

function connection(server: Server, via: Via): Database.Database {
  if (via === 'tracker') return server.temp.db;
  const other = server.temp.connect();
  if (via === 'recursive') other.pragma('recursive_triggers = ON');
  return other;
}

/** The key columns of a row of `table` and the values bound for them: `(k, j)` for the composite key. */
function columns(table: Table): string {
  return table === 'pairs' ? "(k, j, v) VALUES (?, 'j'," : '(k, v) VALUES (?,';
}

/** Every row of one table, its key by class, quote(), hex and (a JavaScript number) sign, then its values. */
function rowsOf(server: Server, table: string): unknown[][] {
  const sql = table === 'kids' ? 'SELECT id, typeof(parent), quote(parent), typeof(gone), quote(gone) FROM kids ORDER BY id' : `SELECT typeof(k), quote(k), hex(k), k, * FROM ${table} ORDER BY k`;
  return server.temp.db.prepare(sql).raw(true).safeIntegers(true).all() as unknown[][];
}

function state(server: Server): unknown[] {
  return [...TABLES.map((table) => rowsOf(server, table)), server.tracker.listConflicts()];
}

/** Each row's replicated state: table, key, causal length, birth clock. */
function lives(server: Server): unknown[] {
  return server.temp.db.prepare('SELECT tbl, quote(pk), cl, hlc FROM _sync_rows ORDER BY tbl, quote(pk)').raw(true).safeIntegers(true).all();
}

/** The causal length of the row with key `key` (in `pairs`, `(key, 'j')`: its metadata key is text). */
function clOf(server: Server, table: string, key: bigint | number): unknown {
  const pk = table === 'pairs' ? `${key},'j'` : key;
  return server.temp.db.prepare('SELECT cl FROM _sync_rows WHERE tbl = (SELECT id FROM _sync_tables WHERE name = ?) AND pk = ?').pluck().get(table, pk);
}

/** Syncs to quiescence (at most 6 rounds). */
function sync(servers: readonly Server[]): void {
  syncToQuiescence(servers.map((server) => server.tracker));
}

/** Runs a statement SQLite may refuse (OR FAIL, OR ABORT, OR ROLLBACK on a clash). */
function attempt(db: Database.Database, sql: string, ...values: unknown[]): void {
  try {
    db.prepare(sql).run(...values);
  } catch (error) {
    if ((error as { code?: unknown }).code !== 'SQLITE_CONSTRAINT_PRIMARYKEY' && (error as { code?: unknown }).code !== 'SQLITE_CONSTRAINT_UNIQUE') throw error;
  }
}

describe('a REPLACE that writes a live key again in another storage class', () => {
  let servers: Server[];
  let a: Server;
  let b: Server;
  beforeEach(() => {
    servers = [0, 1, 2].map(() => {
      const temp = tempDb(SCHEMA);
      return { temp, tracker: enableCapture(temp.db, { tables: TABLES }) };
    });
    [a, b] = servers as [Server, Server];
  });
  afterEach(() => {
    for (const server of servers) server.temp.cleanup();
  });

  /** Every server holds what `a` holds, and a further round moves nothing and no clock. */
  function expectConvergedAndQuiet(): void {
    for (const other of servers.slice(1)) expect(state(other)).toEqual(state(a));
    const before = servers.map(lives);
    expect(pullRound(servers.map((server) => server.tracker))).toBe(0);
    expect(servers.map(lives)).toEqual(before);
  }

  /** Writes the row in its old form on `a` and syncs it everywhere. */
  function seed(table: Table, old: bigint | number): void {
    a.temp.db.prepare(`INSERT INTO ${table} ${columns(table)} 'old')`).run(old);
    sync(servers);
    expectConvergedAndQuiet();
  }

  it.each<[string, Table, bigint | number, bigint | number, string, Via]>([
    ['INSERT OR REPLACE 1.0 over 1, key without affinity', 'loose', 1n, 1, 'INSERT OR REPLACE INTO', 'tracker'],
    ['INSERT OR REPLACE 1 over 1.0, key without affinity', 'loose', 1, 1n, 'INSERT OR REPLACE INTO', 'tracker'],
    ['REPLACE -0.0 over 0.0, key without affinity', 'loose', 0, -0, 'REPLACE INTO', 'tracker'],
    ['REPLACE 0.0 over -0.0, key without affinity', 'loose', -0, 0, 'REPLACE INTO', 'tracker'],
    ['REPLACE the REAL -2^63 over the INTEGER, INTEGER key', 'ints', MIN_INT, MIN_REAL, 'REPLACE INTO', 'tracker'],
    ['REPLACE the INTEGER -2^63 over the REAL, INTEGER key', 'ints', MIN_REAL, MIN_INT, 'REPLACE INTO', 'tracker'],
    ['REPLACE the REAL -2^63 over the INTEGER, NUMERIC key', 'nums', MIN_INT, MIN_REAL, 'REPLACE INTO', 'tracker'],
    ['REPLACE 1.0 over 1 in a composite key', 'pairs', 2n, 2, 'REPLACE INTO', 'tracker'],
    ['REPLACE -0.0 over 0.0 in a composite key', 'pairs', 0, -0, 'REPLACE INTO', 'tracker'],
    ['a plain INSERT over a key declared PRIMARY KEY ON CONFLICT REPLACE', 'swap', 3n, 3, 'INSERT INTO', 'tracker'],
    ['REPLACE 1.0 over 1 in a table with a UNIQUE column', 'uniq', 4n, 4, 'REPLACE INTO', 'tracker'],
    ['REPLACE 1.0 over 1 from another connection', 'loose', 5n, 5, 'REPLACE INTO', 'other'],
    ['REPLACE 1.0 over 1 with recursive_triggers on', 'loose', 6n, 6, 'REPLACE INTO', 'recursive'],
    ['REPLACE -0.0 over 0.0 with recursive_triggers on', 'loose', 0, -0, 'REPLACE INTO', 'recursive'],
  ])('%s: every server ends with the new form', (_name, table, old, written, verb, via) => {
    seed(table, old);
    connection(a, via).prepare(`${verb} ${table} ${columns(table)} 'new')`).run(written);
    const mine = rowsOf(a, table);
    expect(mine[0]?.[3]).toStrictEqual(written);
    sync(servers);
    expectConvergedAndQuiet();
    expect(rowsOf(b, table)).toEqual(mine);
    // The new life is the row's: an edit made on a peer reaches every server, on the new form.
    b.temp.db.prepare(`UPDATE ${table} SET v = 'edited'`).run();
    sync(servers);
    expectConvergedAndQuiet();
    expect(rowsOf(a, table).map((row) => [row[0], row[1], row.at(-1)])).toEqual(mine.map((row) => [row[0], row[1], 'edited']));
  });

  it('an UPDATE OR REPLACE moving another row onto the key in another class', () => {
    seed('loose', 7n);
    a.temp.db.prepare("INSERT INTO loose (k, v) VALUES (8, 'moved')").run();
    sync(servers);
    a.temp.db.prepare('UPDATE OR REPLACE loose SET k = ? WHERE k = 8').run(7);
    expect(rowsOf(a, 'loose')).toEqual([['real', '7.0', '372E30', 7, 7, 'moved']]);
    sync(servers);
    expectConvergedAndQuiet();
  });

  it('a parent replaced in its other form keeps its children (no action) or loses them (ON DELETE CASCADE), on every server alike', () => {
    seed('loose', 10n);
    seed('swap', 11n);
    a.temp.db.prepare("INSERT INTO kids VALUES ('kid', ?, NULL), ('cascaded', NULL, ?)").run(10n, 11n);
    sync(servers);
    a.temp.db.prepare("REPLACE INTO loose (k, v) VALUES (?, 'new')").run(10);
    a.temp.db.prepare("INSERT INTO swap (k, v) VALUES (?, 'new')").run(11);
    expect(rowsOf(a, 'kids')).toEqual([['kid', 'integer', '10', 'null', 'NULL']]);
    sync(servers);
    expectConvergedAndQuiet();
    expect(rowsOf(b, 'loose')[0]?.slice(0, 2)).toEqual(['real', '10.0']);
    for (const server of servers) {
      expect(server.tracker.listConflicts()).toEqual([]);
      expect(server.temp.db.prepare('PRAGMA foreign_key_check').all()).toEqual([]);
    }
  });

  it('an UPSERT that sets the key to its other class (an UPDATE of the key, as before)', () => {
    seed('loose', 9n);
    a.temp.db.prepare("INSERT INTO loose (k, v) VALUES (?, 'new') ON CONFLICT (k) DO UPDATE SET k = excluded.k").run(9);
    expect(rowsOf(a, 'loose')).toEqual([['real', '9.0', '392E30', 9, 9, 'old']]);
    sync(servers);
    expectConvergedAndQuiet();
  });

  it.each<[string, Table, bigint | number, bigint | number, string]>([
    ['INSERT OR IGNORE, no affinity', 'loose', 1n, 1, "INSERT OR IGNORE INTO loose (k, v) VALUES (?, 'new')"],
    ['INSERT OR IGNORE of -0.0 over 0.0', 'loose', 0, -0, "INSERT OR IGNORE INTO loose (k, v) VALUES (?, 'new')"],
    ['INSERT OR IGNORE, INTEGER key', 'ints', MIN_INT, MIN_REAL, "INSERT OR IGNORE INTO ints (k, v) VALUES (?, 'new')"],
    ['INSERT OR IGNORE, composite key', 'pairs', 0, -0, "INSERT OR IGNORE INTO pairs (k, j, v) VALUES (?, 'j', 'new')"],
    ['INSERT OR IGNORE over PRIMARY KEY ON CONFLICT REPLACE', 'swap', 1n, 1, "INSERT OR IGNORE INTO swap (k, v) VALUES (?, 'new')"],
    ['INSERT OR FAIL', 'loose', 1n, 1, "INSERT OR FAIL INTO loose (k, v) VALUES (?, 'new')"],
    ['INSERT OR FAIL after a row it keeps', 'loose', 1n, 1, "INSERT OR FAIL INTO loose (k, v) VALUES (20, 'kept'), (?, 'new')"],
    ['INSERT (OR ABORT)', 'loose', 1n, 1, "INSERT INTO loose (k, v) VALUES (?, 'new')"],
    ['INSERT OR ROLLBACK', 'ints', MIN_REAL, MIN_INT, "INSERT OR ROLLBACK INTO ints (k, v) VALUES (?, 'new')"],
    ['UPSERT DO NOTHING', 'loose', 1n, 1, "INSERT INTO loose (k, v) VALUES (?, 'new') ON CONFLICT DO NOTHING"],
    ['UPSERT DO UPDATE of a value', 'loose', 1n, 1, "INSERT INTO loose (k, v) VALUES (?, 'new') ON CONFLICT (k) DO UPDATE SET v = excluded.v"],
    ['UPSERT DO UPDATE of a value, composite key', 'pairs', 1n, 1, "INSERT INTO pairs (k, j, v) VALUES (?, 'j', 'new') ON CONFLICT (k, j) DO UPDATE SET v = excluded.v"],
    ['UPDATE OR IGNORE moving another row onto the key', 'loose', 1n, 1, 'UPDATE OR IGNORE loose SET k = ? WHERE k = 21'],
    ['UPDATE OR FAIL moving another row onto the key', 'loose', 1n, 1, 'UPDATE OR FAIL loose SET k = ? WHERE k = 21'],
  ])('%s does not replace the row: no new life, no death', (_name, table, old, written, sql) => {
    seed(table, old);
    a.temp.db.prepare("INSERT INTO loose (k, v) VALUES (21, 'other')").run();
    sync(servers);
    expect(servers.map((server) => clOf(server, table, old))).toEqual([1, 1, 1]);
    attempt(a.temp.db, sql, written);
    expect(rowsOf(a, table)[0]?.[3]).toStrictEqual(old);
    sync(servers);
    expectConvergedAndQuiet();
    expect(rowsOf(b, table)[0]?.[3]).toStrictEqual(old);
    expect(servers.map((server) => clOf(server, table, old))).toEqual([1, 1, 1]);
  });

  it('a REPLACE in the same form keeps the life (0.0 over 0.0, 1 over 1), also after an ignored write of the other form', () => {
    seed('loose', 0);
    a.temp.db.prepare("INSERT INTO loose (k, v) VALUES (?, 'one')").run(1n);
    sync(servers);
    a.temp.db.transaction(() => {
      a.temp.db.prepare("REPLACE INTO loose (k, v) VALUES (?, 'zero')").run(0);
      a.temp.db.prepare("INSERT OR IGNORE INTO loose (k, v) VALUES (?, 'ignored')").run(1);
      a.temp.db.prepare("REPLACE INTO loose (k, v) VALUES (?, 'replaced')").run(1n);
    })();
    sync(servers);
    expectConvergedAndQuiet();
    expect(rowsOf(b, 'loose')).toEqual([
      ['real', '0.0', '302E30', 0, 0, 'zero'],
      ['integer', '1', '31', 1n, 1n, 'replaced'],
    ]);
    for (const server of servers) expect([clOf(server, 'loose', 0), clOf(server, 'loose', 1n)]).toEqual([1, 1]);
  });

  it('a REPLACE in another form, then back, in one transaction: every server ends with the last form', () => {
    seed('ints', MIN_INT);
    a.temp.db.transaction(() => {
      a.temp.db.prepare("REPLACE INTO ints (k, v) VALUES (?, 'real')").run(MIN_REAL);
      a.temp.db.prepare("REPLACE INTO ints (k, v) VALUES (?, 'integer')").run(MIN_INT);
      a.temp.db.prepare("REPLACE INTO ints (k, v) VALUES (?, 'real again')").run(MIN_REAL);
    })();
    sync(servers);
    expectConvergedAndQuiet();
    expect(rowsOf(b, 'ints').map((row) => [row[0], row[3], row.at(-1)])).toEqual([['real', MIN_REAL, 'real again']]);
  });

  it('a key whose class SQLite fixes (TEXT, REAL) gets no trigger for it; every other gets one', () => {
    const reform = (table: string): unknown =>
      a.temp.db.prepare("SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND tbl_name = ? AND name LIKE '%\\_reform' ESCAPE '\\'").pluck().get(table);
    expect(['words', 'reals'].map(reform)).toEqual([0, 0]);
    expect(['loose', 'pairs', 'ints', 'nums', 'swap', 'uniq'].map(reform)).toEqual([1, 1, 1, 1, 1, 1]);
  });

  it('a database whose triggers an older version made gets the new trigger at its next start', () => {
    const trigger = (): unknown => a.temp.db.prepare("SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'loose' AND name LIKE '%\\_reform' ESCAPE '\\'").pluck().get();
    const name = trigger();
    expect(typeof name).toBe('string');
    a.temp.db.exec(`DROP TRIGGER "${String(name)}"`);
    const restarted = { temp: a.temp, tracker: enableCapture(a.temp.db, { tables: TABLES }) };
    servers[0] = restarted;
    a = restarted;
    expect(trigger()).toBe(name);
    seed('loose', 1n);
    a.temp.db.prepare("REPLACE INTO loose (k, v) VALUES (?, 'new')").run(1);
    sync(servers);
    expectConvergedAndQuiet();
    expect(rowsOf(b, 'loose')[0]?.slice(0, 3)).toEqual(['real', '1.0', '312E30']);
  });
});
