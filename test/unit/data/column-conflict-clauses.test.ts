import { enableCapture } from '../../../lib/data/capture';
import type { ChangeTracker } from '../../../lib/data/change-tracker';
import { pullAll, tableRows, tempDb, type TempDb } from '../../helpers/data';
import { nextMillisecond } from '../../helpers/clock';

// A column's own conflict clause (`UNIQUE ON CONFLICT REPLACE`, `… IGNORE`,
// `NOT NULL ON CONFLICT IGNORE`) must not decide a merge: the merge writes with
// OR ABORT, so the parking rules decide, the same on every server.
const SCHEMA = `
CREATE TABLE rep (id TEXT PRIMARY KEY NOT NULL, u TEXT UNIQUE ON CONFLICT REPLACE, v TEXT);
CREATE TABLE ign (id TEXT PRIMARY KEY NOT NULL, u TEXT UNIQUE ON CONFLICT IGNORE, v TEXT);
CREATE TABLE pkr (id TEXT PRIMARY KEY ON CONFLICT REPLACE NOT NULL, u TEXT UNIQUE ON CONFLICT REPLACE, v TEXT);
`;
const TABLES = ['rep', 'ign', 'pkr'];

type Server = TempDb & { readonly tracker: ChangeTracker };

function server(): Server {
  const temp = tempDb(SCHEMA);
  return { ...temp, tracker: enableCapture(temp.db, { tables: TABLES }) };
}

function conflictsOf(one: Server): unknown[] {
  return one.tracker.listConflicts().map(({ at: _at, ...entry }) => entry);
}

/** Every server pulls from every other until nothing moves. */
function syncAll(servers: readonly Server[]): void {
  for (let round = 0; round < 3; round += 1) for (const to of servers) for (const from of servers) if (from !== to) pullAll(from.tracker, to.tracker);
}

function expectConverged(servers: readonly Server[]): void {
  const [first, ...others] = servers as [Server, ...Server[]];
  for (const other of others) {
    for (const table of TABLES) expect(tableRows(other.db, table)).toEqual(tableRows(first.db, table));
    expect(conflictsOf(other)).toEqual(conflictsOf(first));
  }
}

describe('a column conflict clause during a merge', () => {
  let servers: Server[];
  beforeEach(() => {
    servers = [server(), server(), server()];
  });
  afterEach(() => {
    for (const one of servers) one.cleanup();
  });

  it.each(['rep', 'ign', 'pkr'])('%s: the earlier claim of a UNIQUE value stays visible everywhere and the later one is parked, not replaced or dropped', (table) => {
    const [a, b] = servers as [Server, Server, Server];
    a.db.prepare(`INSERT INTO ${table} (id, u, v) VALUES ('a5', 'Z', 'from a')`).run();
    nextMillisecond();
    b.db.prepare(`INSERT INTO ${table} (id, u, v) VALUES ('b6', 'Z', 'from b')`).run();
    syncAll(servers);
    expectConverged(servers);
    for (const one of servers) expect(tableRows(one.db, table)).toEqual([['a5', 'Z', 'from a']]);
    expect(conflictsOf(a)).toEqual([expect.objectContaining({ table, key: ['b6'], reason: 'UNIQUE' })]);
    // The earlier row is still A's: its changes mention it, nobody deleted it.
    expect(a.tracker.readChanges(0, 100).changes).toEqual(expect.arrayContaining([expect.objectContaining({ table, key: ['a5'] })]));
    // When the holder lets go, the parked row comes back by itself on every server.
    a.db.prepare(`DELETE FROM ${table} WHERE id = 'a5'`).run();
    syncAll(servers);
    expectConverged(servers);
    for (const one of servers) expect(tableRows(one.db, table)).toEqual([['b6', 'Z', 'from b']]);
    expect(conflictsOf(a)).toEqual([]);
  });

  it('an edit that moves a row onto a held value is parked, not replacing the holder or ignored', () => {
    const [a, b] = servers as [Server, Server, Server];
    a.db.exec("INSERT INTO rep VALUES ('r1', 'X', NULL), ('r2', 'Y', NULL); INSERT INTO ign VALUES ('i1', 'X', NULL), ('i2', 'Y', NULL)");
    syncAll(servers);
    a.db.exec("UPDATE rep SET u = 'Q' WHERE id = 'r1'; UPDATE ign SET u = 'Q' WHERE id = 'i1'");
    nextMillisecond();
    b.db.exec("UPDATE rep SET u = 'Q' WHERE id = 'r2'; UPDATE ign SET u = 'Q' WHERE id = 'i2'");
    syncAll(servers);
    expectConverged(servers);
    expect(tableRows(a.db, 'rep')).toEqual([['r1', 'Q', null]]);
    expect(tableRows(a.db, 'ign')).toEqual([['i1', 'Q', null]]);
    expect(conflictsOf(a).map((entry) => (entry as { key: unknown }).key)).toEqual(expect.arrayContaining([['r2'], ['i2']]));
    expect(conflictsOf(a)).toHaveLength(2);
  });

  it.each(['rep', 'pkr'])('%s: a row revived over a copy still alive on the receiver, onto a value held there, is parked, the holder kept', (table) => {
    const [a, b] = servers as [Server, Server, Server];
    a.db.prepare(`INSERT INTO ${table} (id, u, v) VALUES ('k', 'K', 'first life')`).run();
    syncAll(servers);
    b.db.prepare(`INSERT INTO ${table} (id, u, v) VALUES ('h', 'N', 'holder')`).run();
    nextMillisecond();
    // A deletes k and brings it back with a value B's row h already claims: on B, k is still alive (an overwrite).
    a.db.prepare(`DELETE FROM ${table} WHERE id = 'k'`).run();
    a.db.prepare(`INSERT INTO ${table} (id, u, v) VALUES ('k', 'N', 'second life')`).run();
    syncAll(servers);
    expectConverged(servers);
    for (const one of servers) expect(tableRows(one.db, table)).toEqual([['h', 'N', 'holder']]);
    expect(conflictsOf(b)).toEqual([expect.objectContaining({ table, key: ['k'], reason: 'UNIQUE' })]);
  });
});
