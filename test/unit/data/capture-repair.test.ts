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
