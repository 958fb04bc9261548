import { keyFormRows, syncToQuiescence, trackedServers, type TrackedServer } from '../../helpers/data';

/**
 * A NULL written into a NOT NULL key column is its DEFAULT under `OR REPLACE` (or `NOT NULL ON CONFLICT
 * REPLACE`), stored after the BEFORE INSERT triggers saw the NULL: with `DEFAULT 1.0` over a live `1`,
 * the REPLACE wrote the key again in another form, unseen by the reform trigger, and the peers kept `1`.
 */
const SCHEMA = `
CREATE TABLE one (k NOT NULL DEFAULT 1.0 PRIMARY KEY, v TEXT);
CREATE TABLE swap (k NOT NULL ON CONFLICT REPLACE DEFAULT (3.0) PRIMARY KEY ON CONFLICT REPLACE, v TEXT);
CREATE TABLE pair (k NOT NULL DEFAULT 2.0, j TEXT NOT NULL, v TEXT, PRIMARY KEY (k, j)) WITHOUT ROWID;
CREATE TABLE word (k NOT NULL DEFAULT foo PRIMARY KEY, v TEXT);
`;
const TABLES = ['one', 'swap', 'pair', 'word'];

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
  ])('%s: every server ends with the new form', (_name, table, old, sql, written) => {
    const [a, b] = servers as [Server, Server];
    const columns = table === 'pair' ? "(k, j, v) VALUES (?, 'j', 'old')" : "(k, v) VALUES (?, 'old')";
    a.temp.db.prepare(`INSERT INTO ${table} ${columns}`).run(old);
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
