import type Database from 'better-sqlite3';
import { enableCapture } from '../../../lib/data/capture';
import type { ChangeTracker } from '../../../lib/data/change-tracker';
import { pullAll, trackedDb } from '../../helpers/data';

const TABLES = { tables: ['teams', 'reports'] };

function teams(db: Database.Database): unknown[] {
  return db.prepare('SELECT * FROM teams ORDER BY id').raw(true).all();
}

/** A and B with the same three teams, synced both ways. */
function twoServers(): { a: ReturnType<typeof trackedDb>; b: ReturnType<typeof trackedDb> } {
  const a = trackedDb();
  const b = trackedDb();
  for (const [id, n] of [['t1', 1], ['t2', 2], ['t3', 3]] as const) a.db.prepare('INSERT INTO teams (id, name, number) VALUES (?, ?, ?)').run(id, `Team ${n}`, n);
  pullAll(a.tracker, b.tracker);
  return { a, b };
}

function syncBothWays(a: ChangeTracker, b: ChangeTracker): void {
  pullAll(a, b);
  pullAll(b, a);
  pullAll(a, b);
}

describe('writes capture could not see are captured at the next start', () => {
  it('a column added on both servers and filled on one while stopped (a migration) reaches the other', () => {
    const { a, b } = twoServers();
    try {
      for (const server of [a, b]) server.db.exec("ALTER TABLE teams ADD COLUMN field TEXT; ALTER TABLE teams ADD COLUMN tier INTEGER NOT NULL DEFAULT 0");
      b.db.exec("UPDATE teams SET field = 'east' WHERE id <> 't3'; UPDATE teams SET tier = 2 WHERE id = 't2'"); // old triggers: not seen
      const [ta, tb] = [enableCapture(a.db, TABLES), enableCapture(b.db, TABLES)];
      syncBothWays(ta, tb);
      expect(teams(a.db)).toEqual(teams(b.db));
      expect(a.db.prepare('SELECT id, field, tier FROM teams ORDER BY id').raw(true).all()).toEqual([['t1', 'east', 0], ['t2', 'east', 2], ['t3', null, 0]]);
    } finally {
      a.cleanup();
      b.cleanup();
    }
  });

  it('servers migrated one after another: an edit made since on the first one still wins over the later one\'s fill', () => {
    const { a, b } = twoServers();
    try {
      const migrate = (db: Database.Database): void => {
        db.exec("ALTER TABLE teams ADD COLUMN city TEXT NOT NULL DEFAULT ''; UPDATE teams SET city = 'Paris'");
      };
      migrate(a.db);
      const ta = enableCapture(a.db, TABLES);
      a.db.prepare("UPDATE teams SET city = 'Lyon' WHERE id = 't1'").run(); // a scout's edit on the migrated server
      migrate(b.db); // later
      const tb = enableCapture(b.db, TABLES);
      syncBothWays(ta, tb);
      expect(teams(a.db)).toEqual(teams(b.db));
      expect(a.db.prepare('SELECT id, city FROM teams ORDER BY id').raw(true).all()).toEqual([['t1', 'Lyon'], ['t2', 'Paris'], ['t3', 'Paris']]);
      // The local clock did not go back: a write now is stamped after everything before.
      const before = a.db.prepare('SELECT max(hlc) FROM _sync_log').pluck().get() as number;
      a.db.prepare("UPDATE teams SET city = 'Nice' WHERE id = 't2'").run();
      expect(a.db.prepare('SELECT hlc FROM _sync_log ORDER BY seq DESC LIMIT 1').pluck().get()).toBeGreaterThan(before);
    } finally {
      a.cleanup();
      b.cleanup();
    }
  });

  it('a row a table rebuild (create, copy, drop, rename) left out is deleted on the peers too', () => {
    const { a, b } = twoServers();
    try {
      b.db.pragma('foreign_keys = OFF');
      b.db.exec(`CREATE TABLE teams_new (id TEXT PRIMARY KEY NOT NULL, name TEXT NOT NULL, number INTEGER, rating REAL, logo BLOB);
        INSERT INTO teams_new SELECT * FROM teams WHERE id <> 't2';
        DROP TABLE teams;
        ALTER TABLE teams_new RENAME TO teams;`);
      b.db.pragma('foreign_keys = ON');
      const [ta, tb] = [enableCapture(a.db, TABLES), enableCapture(b.db, TABLES)];
      syncBothWays(ta, tb);
      expect(teams(a.db)).toEqual(teams(b.db));
      expect(a.db.prepare('SELECT id FROM teams ORDER BY id').pluck().all()).toEqual(['t1', 't3']);
      // A later edit on A of a row B still has syncs as usual.
      a.db.prepare("UPDATE teams SET name = 'Renamed' WHERE id = 't3'").run();
      syncBothWays(ta, tb);
      expect(b.db.prepare("SELECT name FROM teams WHERE id = 't3'").pluck().get()).toBe('Renamed');
    } finally {
      a.cleanup();
      b.cleanup();
    }
  });

  it('an ordinary restart captures nothing extra', () => {
    const { a, b } = twoServers();
    try {
      const before = a.tracker.info().seq;
      const again = enableCapture(a.db, TABLES);
      expect(again.info().seq).toBe(before);
      expect(again.readChanges(before, 100, b.tracker.siteId).changes).toEqual([]);
    } finally {
      a.cleanup();
      b.cleanup();
    }
  });
});

describe('writes folded at start are settled as while running', () => {
  interface Server {
    readonly db: Database.Database;
    tracker: ChangeTracker;
    cleanup(): void;
  }

  /** A and B with one report each on the same (match, team, scout), written before they met: B's is parked on both (A's site id sorts first, so A's claim is the earlier even on a clock tie). */
  function parkedOnBoth(): { a: Server; b: Server } {
    const servers = [trackedDb(), trackedDb()].map((temp, i) => {
      temp.db.prepare('UPDATE _sync_sites SET site = ? WHERE id = 0').run(i === 0 ? '0'.repeat(31) + '1' : 'f'.repeat(31) + '0');
      return { db: temp.db, tracker: enableCapture(temp.db, TABLES), cleanup: temp.cleanup };
    });
    const [a, b] = servers as [Server, Server];
    a.db.exec("INSERT INTO teams (id, name) VALUES ('t1', 'Robots')");
    pullAll(a.tracker, b.tracker);
    a.db.exec("INSERT INTO reports (id, team_id, match, scout) VALUES ('r0', 't1', 'Q1', 'ana')");
    b.db.exec("INSERT INTO reports (id, team_id, match, scout) VALUES ('r1', 't1', 'Q1', 'ana')");
    syncBothWays(a.tracker, b.tracker);
    for (const server of [a, b]) expect(server.tracker.listConflicts().map((conflict) => conflict.key)).toEqual([['r1']]);
    return { a, b };
  }

  const rows = (db: Database.Database): unknown[] => db.prepare('SELECT * FROM reports ORDER BY id').raw(true).all();

  it.each<[string, string]>([
    ['the holder changed its value', "UPDATE reports SET scout = 'bo' WHERE id = 'r0'"],
    ['the holder deleted', "DELETE FROM reports WHERE id = 'r0'"],
    ['the holder replaced by another key', "INSERT OR REPLACE INTO reports (id, team_id, match, scout) VALUES ('r9', 't1', 'Q9', 'ana'); DELETE FROM reports WHERE id = 'r0'"],
  ])('a parked row waiting for a value comes back on every server when, while one was stopped, %s', (_what, write) => {
    const { a, b } = parkedOnBoth();
    try {
      b.db.exec(write); // written while B's server was stopped (a second connection, the sqlite3 shell)
      b.tracker = enableCapture(b.db, TABLES); // B starts again
      syncBothWays(a.tracker, b.tracker);
      syncBothWays(a.tracker, b.tracker);
      expect(rows(a.db)).toEqual(rows(b.db));
      expect(b.db.prepare("SELECT id FROM reports WHERE id = 'r1'").pluck().get()).toBe('r1');
      expect([a.tracker.conflictCount(), b.tracker.conflictCount()]).toEqual([0, 0]);
    } finally {
      a.cleanup();
      b.cleanup();
    }
  });

  it('a parked key inserted again while stopped replaces the parked copy, and a later delete elsewhere deletes it everywhere', () => {
    const { a, b } = parkedOnBoth();
    try {
      b.db.exec("INSERT INTO reports (id, team_id, match, scout) VALUES ('r1', 't1', 'Q2', 'ana')"); // r1's key is not in B's table
      b.tracker = enableCapture(b.db, TABLES);
      syncBothWays(a.tracker, b.tracker);
      a.db.exec("DELETE FROM reports WHERE id = 'r1'");
      syncBothWays(a.tracker, b.tracker);
      expect(rows(b.db)).toEqual(rows(a.db));
      expect(b.db.prepare("SELECT count(*) FROM reports WHERE id = 'r1'").pluck().get()).toBe(0);
      expect([a.tracker.conflictCount(), b.tracker.conflictCount()]).toEqual([0, 0]);
    } finally {
      a.cleanup();
      b.cleanup();
    }
  });
});
