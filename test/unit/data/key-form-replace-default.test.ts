import { keyFormRows, syncToQuiescence, trackedServers, type TrackedServer } from '../../helpers/data';

/**
 * A NULL written into a NOT NULL key column is its DEFAULT under `OR REPLACE` (or `NOT NULL ON CONFLICT
 * REPLACE`), stored after the BEFORE INSERT triggers saw the NULL: with `DEFAULT 1.0` over a live `1`,
 * the REPLACE wrote the key again in another form, unseen by the reform trigger, and the peers kept `1`.
 * So does `UPDATE OR REPLACE … SET k = NULL` (the key trigger saw the NULL), and an INTEGER or NUMERIC key
 * whose DEFAULT is the REAL -2^63 (stored REAL) over a live INTEGER -2^63, or a string the column
 * stores as that REAL (`DEFAULT '-9223372036854775808.0'`).
 */
const SCHEMA = `
CREATE TABLE one (k NOT NULL DEFAULT 1.0 PRIMARY KEY, v TEXT);
CREATE TABLE swap (k NOT NULL ON CONFLICT REPLACE DEFAULT (3.0) PRIMARY KEY ON CONFLICT REPLACE, v TEXT);
CREATE TABLE pair (k NOT NULL DEFAULT 2.0, j TEXT NOT NULL, v TEXT, PRIMARY KEY (k, j)) WITHOUT ROWID;
CREATE TABLE word (k NOT NULL DEFAULT foo PRIMARY KEY, v TEXT);
CREATE TABLE ints (k INTEGER NOT NULL DEFAULT -9223372036854775808.0 PRIMARY KEY, v TEXT) WITHOUT ROWID;
CREATE TABLE nums (k NUMERIC NOT NULL DEFAULT (-9.223372036854775808e18) PRIMARY KEY, v TEXT);
CREATE TABLE text_ints (k INTEGER NOT NULL DEFAULT '-9223372036854775808.0' PRIMARY KEY, v TEXT) WITHOUT ROWID;
CREATE TABLE text_nums (k NUMERIC NOT NULL DEFAULT ('-9.223372036854775808e18') PRIMARY KEY, v TEXT);
CREATE TABLE text_one (k INT NOT NULL DEFAULT '1.0' PRIMARY KEY, v TEXT);
CREATE TABLE text_pair (k INTEGER NOT NULL DEFAULT '7', j TEXT NOT NULL, v TEXT, PRIMARY KEY (k, j));
CREATE TABLE text_bare (k NOT NULL DEFAULT '1' PRIMARY KEY, v TEXT);
`;
const TABLES = ['one', 'swap', 'pair', 'word', 'ints', 'nums', 'text_ints', 'text_nums', 'text_one', 'text_pair', 'text_bare'];
const MIN_INT = -9223372036854775808n;

type Server = TrackedServer;

/** Every row of every table, its key by class, quote() and hex. */
function state(server: Server): unknown[] {
  return TABLES.map((table) => keyFormRows(server.temp.db, table));
}

describe('a NULL key replaced by its DEFAULT in another form', () => {
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

  it.each<[string, string, bigint | number, string, string]>([
    ['INSERT OR REPLACE of NULL, DEFAULT 1.0 over a live 1', 'one', 1n, "INSERT OR REPLACE INTO one (k, v) VALUES (NULL, 'new')", 'real'],
    ['a plain INSERT of NULL, NOT NULL and PRIMARY KEY ON CONFLICT REPLACE, DEFAULT (3.0) over a live 3', 'swap', 3n, "INSERT INTO swap (k, v) VALUES (NULL, 'new')", 'real'],
    ['INSERT OR REPLACE of NULL, DEFAULT 2.0 over a live 2 in a composite key', 'pair', 2n, "INSERT OR REPLACE INTO pair (k, j, v) VALUES (NULL, 'j', 'new')", 'real'],
    ['INSERT OR REPLACE of NULL, DEFAULT 1.0 over a live 1.0 (the same form)', 'one', 1, "INSERT OR REPLACE INTO one (k, v) VALUES (NULL, 'new')", 'real'],
    ['INSERT OR REPLACE of NULL, INTEGER key, DEFAULT -9223372036854775808.0 over a live INTEGER -2^63', 'ints', MIN_INT, "INSERT OR REPLACE INTO ints (k, v) VALUES (NULL, 'new')", 'real'],
    ['INSERT OR REPLACE of NULL, NUMERIC key, DEFAULT (-9.223372036854775808e18) over a live INTEGER -2^63', 'nums', MIN_INT, "INSERT OR REPLACE INTO nums (k, v) VALUES (NULL, 'new')", 'real'],
    ['UPDATE OR REPLACE SET k = NULL, DEFAULT 1.0 onto a live 1', 'one', 1n, "UPDATE OR REPLACE one SET k = NULL WHERE k = 'moved'", 'real'],
    ['UPDATE OR REPLACE SET k = NULL of the live 1 itself, DEFAULT 1.0', 'one', 1n, "UPDATE OR REPLACE one SET k = NULL, v = 'new' WHERE k = 1", 'real'],
    ['a plain UPDATE SET k = NULL, NOT NULL ON CONFLICT REPLACE, DEFAULT (3.0) onto a live 3', 'swap', 3n, "UPDATE swap SET k = NULL WHERE k = 'moved'", 'real'],
    ['UPDATE OR REPLACE SET k = NULL, DEFAULT 2.0 onto a live 2 in a composite key', 'pair', 2n, "UPDATE OR REPLACE pair SET k = NULL WHERE k = 'moved'", 'real'],
    ['UPDATE OR REPLACE SET k = NULL, INTEGER key, DEFAULT -9223372036854775808.0 onto a live INTEGER -2^63', 'ints', MIN_INT, "UPDATE OR REPLACE ints SET k = NULL WHERE k = 'moved'", 'real'],
    ['UPDATE OR REPLACE SET k = NULL, NUMERIC key, DEFAULT (-9.223372036854775808e18) onto a live INTEGER -2^63', 'nums', MIN_INT, "UPDATE OR REPLACE nums SET k = NULL WHERE k = 'moved'", 'real'],
    // A string DEFAULT is stored as the column's affinity makes it: a REAL -2^63 in an INTEGER or NUMERIC key (diverged before: the peers kept the INTEGER).
    ['INSERT OR REPLACE of NULL, INTEGER key, DEFAULT \'-9223372036854775808.0\' over a live INTEGER -2^63', 'text_ints', MIN_INT, "INSERT OR REPLACE INTO text_ints (k, v) VALUES (NULL, 'new')", 'real'],
    ['UPDATE OR REPLACE SET k = NULL, INTEGER key, DEFAULT \'-9223372036854775808.0\' onto a live INTEGER -2^63', 'text_ints', MIN_INT, "UPDATE OR REPLACE text_ints SET k = NULL WHERE k = 'moved'", 'real'],
    ['INSERT OR REPLACE of NULL, NUMERIC key, DEFAULT (\'-9.223372036854775808e18\') over a live INTEGER -2^63', 'text_nums', MIN_INT, "INSERT OR REPLACE INTO text_nums (k, v) VALUES (NULL, 'new')", 'real'],
    // In the same form as the live key: the insert is the key written whole, and servers converged before too.
    ['INSERT OR REPLACE of NULL, INT key, DEFAULT \'1.0\' over a live 1 (stored INTEGER 1)', 'text_one', 1n, "INSERT OR REPLACE INTO text_one (k, v) VALUES (NULL, 'new')", 'integer'],
    ['UPDATE OR REPLACE SET k = NULL, INT key, DEFAULT \'1.0\' onto a live 1', 'text_one', 1n, "UPDATE OR REPLACE text_one SET k = NULL WHERE k = 'moved'", 'integer'],
    ['INSERT OR REPLACE of NULL, DEFAULT \'7\' over a live 7 in a composite key', 'text_pair', 7n, "INSERT OR REPLACE INTO text_pair (k, j, v) VALUES (NULL, 'j', 'new')", 'integer'],
    ['a key without affinity, DEFAULT \'1\': the TEXT \'1\' beside a live 1, no REPLACE', 'text_bare', 1n, "INSERT OR REPLACE INTO text_bare (k, v) VALUES (NULL, 'new')", 'text'],
  ])('%s: every server ends with the new form', (_name, table, old, sql, written) => {
    const [a, b] = servers as [Server, Server];
    const columns = table.endsWith('pair') ? "(k, j, v) VALUES (?, 'j', ?)" : '(k, v) VALUES (?, ?)';
    a.temp.db.prepare(`INSERT INTO ${table} ${columns}`).run(old, 'old');
    a.temp.db.prepare(`INSERT INTO ${table} ${columns}`).run('moved', 'new'); // the row an UPDATE moves onto the old key
    sync();
    a.temp.db.prepare(sql).run();
    const mine = state(a);
    expect(mine.flat(1)).toContainEqual(expect.arrayContaining([written, 'new']));
    sync();
    expect(state(b)).toEqual(mine);
    expect(state(a)).toEqual(mine);
  });

  it('a DEFAULT that is no number is left out of the trigger: inserts of other keys work as before', () => {
    const [a, b] = servers as [Server, Server];
    a.temp.db.prepare("INSERT INTO word (v) VALUES ('default')").run();
    a.temp.db.prepare("INSERT OR REPLACE INTO word (k, v) VALUES (?, 'one')").run(1);
    a.temp.db.prepare("INSERT OR REPLACE INTO word (k, v) VALUES (?, 'one again')").run(1n);
    sync();
    expect(state(b)).toEqual(state(a));
  });
});
