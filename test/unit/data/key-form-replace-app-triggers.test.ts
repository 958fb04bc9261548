import { keyFormRows, syncToQuiescence, trackedServers, type TrackedServer } from '../../helpers/data';

/**
 * The app's own triggers fire inside a REPLACE between the reform trigger (op 5, the old key's form) and
 * the insert that follows it: the sync triggers are made again at every start, so an app's BEFORE INSERT
 * trigger fires after them. One that updates the row the REPLACE is about to delete (a counter, a
 * "superseded" stamp) logs an update of that key in between; the update must not cost the REPLACE its
 * mark, else the insert is the same life again and the peers keep the old form for good.
 */
const SCHEMA = `
CREATE TABLE loose (k NOT NULL PRIMARY KEY, v TEXT, seen INTEGER NOT NULL DEFAULT 0);
CREATE TABLE ints (k INTEGER NOT NULL PRIMARY KEY, v TEXT, seen INTEGER NOT NULL DEFAULT 0) WITHOUT ROWID;
CREATE TABLE pairs (k NOT NULL, j TEXT NOT NULL, v TEXT, seen INTEGER NOT NULL DEFAULT 0, PRIMARY KEY (k, j)) WITHOUT ROWID;
CREATE TRIGGER loose_seen BEFORE INSERT ON loose BEGIN UPDATE loose SET seen = seen + 1 WHERE k = NEW.k; END;
CREATE TRIGGER ints_seen BEFORE INSERT ON ints BEGIN UPDATE ints SET seen = seen + 1 WHERE k = NEW.k; END;
CREATE TRIGGER pairs_seen BEFORE INSERT ON pairs BEGIN UPDATE pairs SET seen = seen + 1 WHERE k = NEW.k AND j = NEW.j; END;
`;
const TABLES = ['loose', 'ints', 'pairs'];
const MIN_INT = -(2n ** 63n);
const MIN_REAL = -9223372036854775808;

type Server = TrackedServer;

/** Every row of every table, its key by class, quote() and hex, then its values. */
function state(server: Server): unknown[] {
  const rows = (table: string) => keyFormRows(server.temp.db, table);
  return [...TABLES.map(rows), server.tracker.listConflicts()];
}

describe('a REPLACE of a key in another form, with an app trigger that updates the replaced row', () => {
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

  it.each<[string, string, bigint | number, bigint | number]>([
    ['1.0 over 1 without affinity', "INSERT INTO loose (k, v) VALUES (?, 'old')", 1n, 1],
    ['-0.0 over 0.0 without affinity', "INSERT INTO loose (k, v) VALUES (?, 'old')", 0, -0],
    ['the REAL -2^63 over the INTEGER', "INSERT INTO ints (k, v) VALUES (?, 'old')", MIN_INT, MIN_REAL],
    ['2.0 over 2 in a composite key', "INSERT INTO pairs (k, j, v) VALUES (?, 'j', 'old')", 2n, 2],
  ])('%s: every server ends with the new form', (_name, insert, old, written) => {
    const [a, b] = servers as [Server, Server];
    a.temp.db.prepare(insert).run(old);
    sync();
    expect(state(b)).toEqual(state(a));
    a.temp.db.prepare(insert.replace('INSERT', 'REPLACE').replace("'old'", "'new'")).run(written);
    const mine = state(a);
    sync();
    expect(state(b)).toEqual(mine);
    expect(state(a)).toEqual(mine);
  });
});
