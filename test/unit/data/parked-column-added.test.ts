import type Database from 'better-sqlite3';
import { enableCapture } from '../../../lib/data/capture';
import type { ChangeTracker } from '../../../lib/data/change-tracker';
import { pullAll, tempDb, type TempDb } from '../../helpers/data';
import { nextMillisecond } from '../../helpers/clock';

const SCHEMA = 'CREATE TABLE teams (id TEXT PRIMARY KEY NOT NULL, name TEXT, code TEXT UNIQUE);';
const TABLES = { tables: ['teams'] };

type Server = TempDb & { tracker: ChangeTracker };

function server(): Server {
  const temp = tempDb(SCHEMA);
  return { ...temp, tracker: enableCapture(temp.db, TABLES) };
}

function rows(db: Database.Database): unknown[] {
  return db.prepare('SELECT * FROM teams ORDER BY id').all();
}

function exchange(a: Server, b: Server): void {
  for (let round = 0; round < 2; round += 1) {
    pullAll(a.tracker, b.tracker);
    pullAll(b.tracker, a.tracker);
  }
}

/** A holds t3 with code 'x', B wrote t4 with 'x' later: t4 is parked on both. */
function oneParkedRow(): [Server, Server] {
  const [a, b] = [server(), server()];
  a.db.exec("INSERT INTO teams VALUES ('t3', 'C', 'x')");
  nextMillisecond();
  b.db.exec("INSERT INTO teams VALUES ('t4', 'D', 'x')");
  exchange(a, b);
  for (const s of [a, b]) expect(s.tracker.listConflicts().map((entry) => entry.key)).toEqual([['t4']]);
  return [a, b];
}

/** Both stop, run the same migration, restart. */
function migrateBoth(a: Server, b: Server, sql: string): void {
  for (const s of [a, b]) {
    s.db.exec(sql);
    s.tracker = enableCapture(s.db, TABLES);
  }
}

describe('a parked row and a column added since', () => {
  let servers: Server[] = [];
  afterEach(() => {
    for (const s of servers) s.cleanup();
    servers = [];
  });

  it('comes back with the column\'s declared default (NOT NULL DEFAULT), on every server, and a restart is fine', () => {
    const [a, b] = oneParkedRow();
    servers = [a, b];
    migrateBoth(a, b, 'ALTER TABLE teams ADD COLUMN rank INTEGER NOT NULL DEFAULT 0');
    a.db.exec("DELETE FROM teams WHERE id = 't3'");
    exchange(a, b);
    for (const s of [a, b]) {
      expect(rows(s.db)).toEqual([{ id: 't4', name: 'D', code: 'x', rank: 0 }]);
      expect(s.tracker.conflictCount()).toBe(0);
    }
    expect(() => enableCapture(a.db, TABLES)).not.toThrow();
  });

  it('a nullable column added with a default gives the released row that default, not NULL', () => {
    const [a, b] = oneParkedRow();
    servers = [a, b];
    migrateBoth(a, b, "ALTER TABLE teams ADD COLUMN tier TEXT DEFAULT 'gold'");
    a.db.exec("DELETE FROM teams WHERE id = 't3'");
    exchange(a, b);
    for (const s of [a, b]) expect(rows(s.db)).toEqual([{ id: 't4', name: 'D', code: 'x', tier: 'gold' }]);
  });

  it('a row that cannot come back (NOT NULL column without a default, by a rebuild) stays parked: no failure, listed as a conflict', () => {
    const [a, b] = oneParkedRow();
    servers = [a, b];
    migrateBoth(
      a,
      b,
      `CREATE TABLE teams_new (id TEXT PRIMARY KEY NOT NULL, name TEXT, code TEXT UNIQUE, rank INTEGER NOT NULL);
       INSERT INTO teams_new SELECT id, name, code, 1 FROM teams; DROP TABLE teams; ALTER TABLE teams_new RENAME TO teams;`,
    );
    a.db.exec("DELETE FROM teams WHERE id = 't3'");
    expect(() => exchange(a, b)).not.toThrow();
    for (const s of [a, b]) {
      expect(rows(s.db)).toEqual([]);
      expect(s.tracker.listConflicts().map((entry) => [entry.key, entry.reason])).toEqual([[['t4'], 'CHECK']]);
    }
    expect(() => enableCapture(a.db, TABLES)).not.toThrow();
    // Settled by a replicated write: restored with a rank, it comes back everywhere.
    const [entry] = a.tracker.listConflicts();
    a.tracker.resolveConflict(entry!.id, { action: 'restore', values: { rank: 7 } });
    exchange(a, b);
    for (const s of [a, b]) expect(rows(s.db)).toEqual([{ id: 't4', name: 'D', code: 'x', rank: 7 }]);
  });
});
