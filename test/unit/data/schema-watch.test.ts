import { enableCapture } from '../../../lib/data/capture';
import { SyncError } from '../../../lib/sync-error';
import { pullAll, tableRows, trackedDb } from '../../helpers/data';

const TABLES = { tables: ['teams', 'reports'] };

function codeOf(work: () => unknown): string | undefined {
  try {
    work();
    return undefined;
  } catch (error) {
    if (error instanceof SyncError) return `${error.status} ${error.code}: ${error.message}`;
    throw error;
  }
}

describe('a tracked table changed while the server runs stops sync loudly, and a restart heals it', () => {
  it('ADD COLUMN: reads, applies and folds refuse with SCHEMA_CHANGED naming the column; after enableCapture again the value reaches the peer', () => {
    const a = trackedDb();
    const b = trackedDb();
    try {
      a.db.prepare("INSERT INTO teams (id, name) VALUES ('t1', 'one')").run();
      pullAll(a.tracker, b.tracker);
      for (const server of [a, b]) server.db.exec('ALTER TABLE teams ADD COLUMN color TEXT');
      a.db.prepare("INSERT INTO teams (id, name, color) VALUES ('t2', 'two', 'blue')").run();
      a.db.prepare("UPDATE teams SET color = 'red' WHERE id = 't1'").run();
      const read = codeOf(() => a.tracker.readChanges(0, 100));
      expect(read).toMatch(/^409 SCHEMA_CHANGED: .*teams\.color was added.*restart the server/);
      expect(codeOf(() => a.tracker.fold())).toMatch(/^409 SCHEMA_CHANGED/);
      expect(codeOf(() => a.tracker.applyChangeset(b.tracker.readChanges(0, 100)))).toMatch(/^409 SCHEMA_CHANGED/);
      expect(codeOf(() => a.tracker.info())).toMatch(/^409 SCHEMA_CHANGED/);
      // The restart: enableCapture again on each server.
      const [ta, tb] = [enableCapture(a.db, TABLES), enableCapture(b.db, TABLES)];
      pullAll(ta, tb);
      expect(tableRows(b.db, 'teams')).toEqual(tableRows(a.db, 'teams'));
      expect(b.db.prepare('SELECT id, color FROM teams ORDER BY id').raw(true).all()).toEqual([
        ['t1', 'red'],
        ['t2', 'blue'],
      ]);
    } finally {
      a.cleanup();
      b.cleanup();
    }
  });

  it('a renamed column, a renamed table and a dropped table are each named', () => {
    const cases: [string, RegExp][] = [
      ['ALTER TABLE teams RENAME COLUMN rating TO stars', /teams\.stars was added.*teams\.rating is gone/],
      ['ALTER TABLE reports RENAME TO old_reports', /reports was renamed to old_reports.*rename it back \(ALTER TABLE "old_reports" RENAME TO "reports"\)/],
      ['DROP TABLE reports', /table "reports" is gone.*Creating it empty would not bring its rows back/],
      ['DROP TRIGGER _sync_1_insert', /teams lost its capture triggers/],
    ];
    for (const [ddl, named] of cases) {
      const a = trackedDb();
      try {
        a.db.exec(ddl);
        expect(codeOf(() => a.tracker.readChanges(0, 10))).toMatch(named);
      } finally {
        a.cleanup();
      }
    }
  });

  it('DDL that leaves the tracked tables as they were (a new table, an index, VACUUM) changes nothing', () => {
    const a = trackedDb();
    const b = trackedDb();
    try {
      a.db.exec("CREATE TABLE notes (id TEXT PRIMARY KEY); CREATE INDEX teams_name ON teams (name); VACUUM; INSERT INTO teams (id, name) VALUES ('t1', 'one')");
      pullAll(a.tracker, b.tracker);
      expect(tableRows(b.db, 'teams')).toEqual(tableRows(a.db, 'teams'));
    } finally {
      a.cleanup();
      b.cleanup();
    }
  });

  it.each([
    ['while the server runs', true],
    ['while the server is stopped', false],
  ])('"rename to a backup, make the table again, copy, empty the backup" %s loses no row on the peer', (_when, running) => {
    const a = trackedDb();
    const b = trackedDb();
    try {
      a.db.prepare("INSERT INTO teams (id, name) VALUES ('t1', 'one'), ('t2', 'two')").run();
      pullAll(a.tracker, b.tracker);
      // legacy_alter_table with foreign keys off keeps reports' foreign key on "teams" (else the rename takes it
      // along to teams_backup, which capture refuses: see capture-schema-refusals.test.ts).
      a.db.exec(`PRAGMA foreign_keys = OFF; PRAGMA legacy_alter_table = ON; ALTER TABLE teams RENAME TO teams_backup; PRAGMA legacy_alter_table = OFF; PRAGMA foreign_keys = ON;
        CREATE TABLE teams (id TEXT PRIMARY KEY NOT NULL, name TEXT NOT NULL, number INTEGER, rating REAL, logo BLOB);
        INSERT INTO teams SELECT * FROM teams_backup;
        DELETE FROM teams_backup;`);
      if (running) expect(codeOf(() => a.tracker.readChanges(0, 10))).toMatch(/409 SCHEMA_CHANGED: .*teams was renamed to teams_backup, its capture triggers with it/);
      const restarted = enableCapture(a.db, TABLES);
      a.db.prepare("UPDATE teams SET name = 'ONE' WHERE id = 't1'").run();
      pullAll(restarted, b.tracker);
      expect(tableRows(b.db, 'teams')).toEqual(tableRows(a.db, 'teams'));
      expect(b.db.prepare('SELECT id, name FROM teams ORDER BY id').raw(true).all()).toEqual([
        ['t1', 'ONE'],
        ['t2', 'two'],
      ]);
    } finally {
      a.cleanup();
      b.cleanup();
    }
  });

  it('a UNIQUE index added while running stops sync; after a restart an INSERT OR REPLACE through it reaches the peer', () => {
    const a = trackedDb();
    const b = trackedDb();
    try {
      a.db.prepare("INSERT INTO teams (id, name) VALUES ('t1', 'one'), ('t2', 'two')").run();
      pullAll(a.tracker, b.tracker);
      for (const server of [a, b]) server.db.exec('CREATE UNIQUE INDEX teams_name ON teams (name)');
      expect(codeOf(() => a.tracker.readChanges(0, 10))).toMatch(/409 SCHEMA_CHANGED: .*a UNIQUE index on teams \(name COLLATE BINARY\) was added/);
      const [ta, tb] = [enableCapture(a.db, TABLES), enableCapture(b.db, TABLES)];
      a.db.prepare("INSERT OR REPLACE INTO teams (id, name) VALUES ('t3', 'one')").run();
      pullAll(ta, tb);
      expect(tableRows(b.db, 'teams')).toEqual(tableRows(a.db, 'teams'));
      expect(b.db.prepare('SELECT id FROM teams ORDER BY id').pluck().all()).toEqual(['t2', 't3']);
      for (const server of [a, b]) server.db.exec('DROP INDEX teams_name');
      expect(codeOf(() => ta.readChanges(0, 10))).toMatch(/the UNIQUE index on teams \(name COLLATE BINARY\) was dropped/);
    } finally {
      a.cleanup();
      b.cleanup();
    }
  });
});
