import type Database from 'better-sqlite3';
import { enableCapture } from '../../../lib/data/capture';
import type { ChangeTracker } from '../../../lib/data/change-tracker';
import { pullAll, trackedDb } from '../../helpers/data';

const TABLES = { tables: ['teams'] }; // no foreign key: enableCapture folds the log before it repairs

/** The same migration on every server, run with the server stopped: a column added, then filled. */
function migrate(db: Database.Database): void {
  db.exec("ALTER TABLE teams ADD COLUMN city TEXT NOT NULL DEFAULT ''; UPDATE teams SET city = 'Paris'");
}

/** Waits until the wall clock (SQLite's 'now' too) is a few milliseconds past `since`: the next write is stamped later. */
function clockPast(since: number): void {
  while (Date.now() < since + 5) {
    // a few milliseconds at most
  }
}

function syncBothWays(a: ChangeTracker, b: ChangeTracker): void {
  pullAll(a, b);
  pullAll(b, a);
  pullAll(a, b);
}

describe('a rolling migration that fills a new column (server stopped)', () => {
  it('never overwrites an edit of the new column made on a server migrated earlier, even when the later server edited another column of the row since', () => {
    const a = trackedDb(TABLES);
    const b = trackedDb(TABLES);
    try {
      for (const [id, n] of [['t1', 1], ['t2', 2]] as const) a.db.prepare('INSERT INTO teams (id, name, number) VALUES (?, ?, ?)').run(id, `Team ${n}`, n);
      pullAll(a.tracker, b.tracker);
      migrate(a.db); // A first
      const ta = enableCapture(a.db, TABLES);
      a.db.prepare("UPDATE teams SET city = 'Lyon' WHERE id = 't1'").run(); // a scout's edit on the migrated server
      clockPast(Date.now());
      b.db.prepare("UPDATE teams SET name = 'Team One' WHERE id = 't1'").run(); // B, not migrated yet, keeps writing
      migrate(b.db); // B later: its fill must not beat A's edit made after A's own fill
      const tb = enableCapture(b.db, TABLES);
      syncBothWays(ta, tb);
      const rows = (db: Database.Database): unknown[] => db.prepare('SELECT id, name, city FROM teams ORDER BY id').raw(true).all();
      expect(rows(a.db)).toEqual([['t1', 'Team One', 'Lyon'], ['t2', 'Team 2', 'Paris']]);
      expect(rows(b.db)).toEqual(rows(a.db));
    } finally {
      a.cleanup();
      b.cleanup();
    }
  });
});

describe('a rolling column rename (server stopped)', () => {
  it('keeps the later edit: a value edited under the old name after the first server renamed still wins over an edit made there before', () => {
    const a = trackedDb(TABLES);
    const b = trackedDb(TABLES);
    try {
      a.db.prepare("INSERT INTO teams (id, name, number) VALUES ('t1', 'Team 1', 1)").run();
      pullAll(a.tracker, b.tracker);
      const rename = (db: Database.Database): void => {
        db.exec('ALTER TABLE teams RENAME COLUMN name TO title');
      };
      rename(a.db); // A first
      const ta = enableCapture(a.db, TABLES);
      a.db.prepare("UPDATE teams SET title = 'Early' WHERE id = 't1'").run();
      clockPast(Date.now());
      b.db.prepare("UPDATE teams SET name = 'Later' WHERE id = 't1'").run(); // B, not renamed yet, edits it later
      rename(b.db);
      const tb = enableCapture(b.db, TABLES);
      syncBothWays(ta, tb);
      const rows = (db: Database.Database): unknown[] => db.prepare('SELECT id, title FROM teams ORDER BY id').raw(true).all();
      expect(rows(a.db)).toEqual([['t1', 'Later']]);
      expect(rows(b.db)).toEqual(rows(a.db));
    } finally {
      a.cleanup();
      b.cleanup();
    }
  });
});
