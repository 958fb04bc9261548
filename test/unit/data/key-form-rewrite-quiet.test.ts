import { enableCapture } from '../../../lib/data/capture';
import type { ChangeTracker } from '../../../lib/data/change-tracker';
import { nextMillisecond } from '../../helpers/clock';
import { tempDb, type TempDb } from '../../helpers/data';

/**
 * The merge rewrites a stored key in another storage class (`rewriteKeyForm`: an earlier birth taken
 * in, a revival over a live row) while the capture triggers are in place (an apply under 1,000
 * changes) or set aside (a bulk apply). Since b7bd18a those triggers log an UPDATE that changes only
 * a key's class as a key change, a new life: what they log of the merge's own rewrite must be
 * dropped, or each server would send the others a new life of the row every round, for ever (its
 * cl growing). Three servers, after births and class changes in every form, go quiet: a full round
 * moves no change, and no row's clocks move.
 */
const SCHEMA = `
CREATE TABLE loose (k NOT NULL PRIMARY KEY, u TEXT UNIQUE, v TEXT);
CREATE TABLE pairs (k NOT NULL, j TEXT NOT NULL, v TEXT, PRIMARY KEY (k, j));
CREATE TABLE ints (k INTEGER NOT NULL PRIMARY KEY, v TEXT) WITHOUT ROWID;
CREATE TABLE kids (id TEXT NOT NULL PRIMARY KEY, parent NOT NULL REFERENCES loose (k));
CREATE TABLE filler (id TEXT NOT NULL PRIMARY KEY);
`;
const TABLES = ['loose', 'pairs', 'ints', 'kids', 'filler'];
const MIN_INT = -(2n ** 63n);
const MIN_REAL = -9223372036854775808;

interface Server {
  readonly temp: TempDb;
  readonly tracker: ChangeTracker;
}

/** Every user row, each key by class, spelling and (for a JavaScript number) sign, and the conflicts. */
function rows(server: Server): unknown[] {
  const read = (sql: string): unknown[] => server.temp.db.prepare(sql).raw(true).safeIntegers(true).all();
  return [
    read('SELECT typeof(k), quote(k), k, u, v FROM loose ORDER BY k, typeof(k)'),
    read('SELECT typeof(k), quote(k), k, j, v FROM pairs ORDER BY k, j'),
    read('SELECT typeof(k), quote(k), v FROM ints ORDER BY k'),
    read('SELECT id, typeof(parent), quote(parent) FROM kids ORDER BY id'),
    server.tracker.listConflicts().map((conflict) => [conflict.table, JSON.stringify(conflict.key), conflict.reason]),
  ];
}

/** Each row's replicated state: its causal length and birth clock. */
function lives(server: Server): unknown[] {
  return server.temp.db.prepare('SELECT tbl, quote(pk), cl, hlc FROM _sync_rows ORDER BY tbl, quote(pk)').raw(true).safeIntegers(true).all();
}

/** Pulls everything `from` has for `to`, `limit` changes a page; returns how many changes moved. */
function pull(from: Server, to: Server, limit: number): number {
  let moved = 0;
  for (;;) {
    const page = from.tracker.readChanges(to.tracker.pullCursor(from.tracker.siteId), limit, to.tracker.siteId);
    moved += page.changes.length;
    to.tracker.applyChangeset(page);
    if (!page.more) return moved;
  }
}

describe('a key rewritten in another storage class by the merge', () => {
  let servers: Server[];
  beforeEach(() => {
    servers = [0, 1, 2].map(() => {
      const temp = tempDb(SCHEMA);
      return { temp, tracker: enableCapture(temp.db, { tables: TABLES }) };
    });
  });
  afterEach(() => {
    for (const server of servers) server.temp.cleanup();
  });

  /** One full round: every server pulls from every other (a mesh), or along the chain 0 → 1 → 2 and back. */
  function round(topology: 'mesh' | 'chain', limit: number): number {
    const [a, b, c] = servers as [Server, Server, Server];
    const pairs: [Server, Server][] = topology === 'mesh' ? servers.flatMap((from) => servers.filter((to) => to !== from).map((to): [Server, Server] => [from, to])) : [[a, b], [b, c], [c, b], [b, a]];
    return pairs.reduce((moved, [from, to]) => moved + pull(from, to, limit), 0);
  }

  /** Syncs until a round moves nothing (at most 10 rounds). */
  function untilQuiet(topology: 'mesh' | 'chain', limit: number): void {
    let rounds = 0;
    while (round(topology, limit) > 0) {
      rounds += 1;
      expect(rounds).toBeLessThan(10);
    }
  }

  /**
   * Syncs until a round moves nothing, then checks that every server holds the same rows, that further rounds move
   * nothing, and that no row's life or birth moves, in this topology or the other (whose first rounds may carry what
   * a server has already had relayed: taken in, it changes nothing).
   */
  function settlesQuietly(topology: 'mesh' | 'chain', limit: number): void {
    untilQuiet(topology, limit);
    const [first, ...others] = servers as [Server, ...Server[]];
    for (const other of others) expect(rows(other)).toEqual(rows(first));
    const before = servers.map(lives);
    for (let again = 0; again < 3; again += 1) expect(round(topology, limit)).toBe(0);
    untilQuiet(topology === 'mesh' ? 'chain' : 'mesh', limit);
    expect(servers.map(lives)).toEqual(before);
    for (const other of others) expect(rows(other)).toEqual(rows(first));
  }

  /** Writes on each server before any sync: one row born in a different storage class on each. */
  function bornInTwoForms(): void {
    const [a, b, c] = servers as [Server, Server, Server];
    a.temp.db.prepare("INSERT INTO loose VALUES (?, 'one-a', 'a')").run(1n);
    b.temp.db.prepare("INSERT INTO loose VALUES (?, 'one-b', 'b')").run(1);
    b.temp.db.prepare("INSERT INTO loose VALUES (?, 'zero-b', 'b')").run(-0);
    c.temp.db.prepare("INSERT INTO loose VALUES (?, 'zero-c', 'c')").run(0);
    a.temp.db.prepare("INSERT INTO pairs VALUES (?, 'j', 'a')").run(2n);
    c.temp.db.prepare("INSERT INTO pairs VALUES (?, 'j', 'c')").run(2);
    b.temp.db.prepare("INSERT INTO ints VALUES (?, 'b')").run(MIN_INT);
    c.temp.db.prepare("INSERT INTO ints VALUES (?, 'c')").run(MIN_REAL);
    a.temp.db.prepare("INSERT INTO kids VALUES ('kid', ?)").run(1);
  }

  /** Each server changes a key's class while the others may not have seen its last form yet. */
  function changeClasses(): void {
    const [a, b, c] = servers as [Server, Server, Server];
    a.temp.db.prepare('UPDATE loose SET k = ? WHERE k = 1').run(1);
    b.temp.db.prepare('UPDATE loose SET k = ? WHERE k = 1').run(1n);
    c.temp.db.prepare('UPDATE loose SET k = ? WHERE k = 0').run(-0);
    a.temp.db.prepare('UPDATE loose SET k = ? WHERE k = 0').run(0);
    b.temp.db.prepare("UPDATE pairs SET k = ?, v = 'b' WHERE k = 2").run(2);
    a.temp.db.prepare('UPDATE ints SET k = ? WHERE k = ?').run(MIN_REAL, MIN_INT);
    c.temp.db.prepare('UPDATE ints SET k = ? WHERE k = ?').run(MIN_INT, MIN_INT);
  }

  it.each<['mesh' | 'chain', number]>([
    ['mesh', 1000],
    ['chain', 1000],
    ['mesh', 1],
    ['chain', 2],
  ])('goes quiet in a %s, pages of %d', (topology, limit) => {
    bornInTwoForms();
    settlesQuietly(topology, limit);
    changeClasses();
    settlesQuietly(topology, limit);
    // Every row is still one row, on every server.
    expect((rows(servers[0] as Server)[0] as unknown[]).length).toBe(2);
  });

  it('goes quiet when the rewrite comes in a bulk apply (the capture triggers set aside)', () => {
    bornInTwoForms();
    const insertFiller = servers[0]?.temp.db.prepare('INSERT INTO filler VALUES (?)');
    servers[0]?.temp.db.transaction(() => {
      for (let i = 0; i < 1200; i += 1) insertFiller?.run(`f${i}`);
    })();
    settlesQuietly('mesh', 5000);
    changeClasses();
    settlesQuietly('chain', 5000);
  });

  it('goes quiet when the row whose key is rewritten is parked (UNIQUE), and when it comes back', () => {
    const [a, b, c] = servers as [Server, Server, Server];
    c.temp.db.prepare("INSERT INTO loose VALUES ('holder', 'taken', 'c')").run();
    nextMillisecond(); // the holder's claim is the earliest on every run (a tie would let the site ids choose)
    a.temp.db.prepare("INSERT INTO loose VALUES (?, 'taken', 'a')").run(7n);
    b.temp.db.prepare("INSERT INTO loose VALUES (?, 'taken', 'b')").run(7);
    // The earlier claim reaches a and b first: each parks its own row 7, then takes in the other's birth of it.
    pull(c, a, 1000);
    pull(c, b, 1000);
    expect([a, b].map((server) => server.tracker.listConflicts().length)).toEqual([1, 1]);
    pull(a, b, 1000);
    pull(b, a, 1000);
    settlesQuietly('mesh', 1000);
    expect(servers.map((server) => server.tracker.listConflicts().length)).toEqual([1, 1, 1]);
    c.temp.db.prepare("DELETE FROM loose WHERE k = 'holder'").run();
    settlesQuietly('chain', 1);
    expect(servers.map((server) => server.tracker.listConflicts().length)).toEqual([0, 0, 0]);
    // Now in the table: a change of its class on one server, while another edits it.
    a.temp.db.prepare('UPDATE loose SET k = ? WHERE k = 7').run(7);
    c.temp.db.prepare("UPDATE loose SET v = 'c' WHERE k = 7").run();
    settlesQuietly('mesh', 1000);
  });
});
