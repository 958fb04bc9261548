import { enableCapture } from '../../../lib/data/capture';
import { SyncError } from '../../../lib/sync-error';
import { pullAll, tableRows, trackedDb } from '../../helpers/data';

const TABLES = { tables: ['teams', 'reports'] };
const TEAMS = 'CREATE TABLE teams (id TEXT PRIMARY KEY NOT NULL, name TEXT NOT NULL, number INTEGER, rating REAL, logo BLOB)';

function failure(work: () => unknown): string {
  try {
    work();
  } catch (error) {
    if (error instanceof SyncError) return `${error.status} ${error.code}: ${error.message}`;
    throw error;
  }
  return 'no error';
}

/** A with two teams, B holding them too. */
function twoServers(): { a: ReturnType<typeof trackedDb>; b: ReturnType<typeof trackedDb> } {
  const a = trackedDb();
  const b = trackedDb();
  a.db.exec("INSERT INTO teams (id, name) VALUES ('t1', 'one'), ('t2', 'two')");
  pullAll(a.tracker, b.tracker);
  return { a, b };
}

describe('a tracked table renamed away never costs its rows', () => {
  it('renamed while running: SCHEMA_CHANGED names the rename and says to rename it back, not to create it; renamed back, sync goes on', () => {
    const { a, b } = twoServers();
    try {
      a.db.exec('ALTER TABLE teams RENAME TO squads');
      const message = failure(() => a.tracker.readChanges(0, 10));
      expect(message).toMatch(/^409 SCHEMA_CHANGED: .*table teams was renamed to squads, its capture triggers with it.*rename it back \(ALTER TABLE "squads" RENAME TO "teams"\)/);
      expect(message).toMatch(/track "squads" instead of "teams"/);
      expect(message).not.toMatch(/create it before enabling capture/);
      a.db.exec("UPDATE squads SET name = 'ONE' WHERE id = 't1'"); // its triggers went with it: captured
      a.db.exec('ALTER TABLE squads RENAME TO teams');
      pullAll(a.tracker, b.tracker);
      expect(b.db.prepare('SELECT id, name FROM teams ORDER BY id').raw(true).all()).toEqual([['t1', 'ONE'], ['t2', 'two']]);
    } finally {
      a.cleanup();
      b.cleanup();
    }
  });

  it('renamed, then made again empty and restarted (the old advice): capture refuses instead of deleting every row everywhere; renamed back it starts', () => {
    const { a, b } = twoServers();
    try {
      a.db.exec(`ALTER TABLE teams RENAME TO squads; ${TEAMS}`);
      const message = failure(() => enableCapture(a.db, TABLES));
      expect(message).toMatch(/^500 CAPTURE_REFUSED: .*"teams": it is empty and lost its capture triggers, while this server's sync metadata holds 2 live row\(s\)/);
      expect(message).toMatch(/renamed to "squads".*Rename it back \(DROP TABLE "teams"; ALTER TABLE "squads" RENAME TO "teams"\).*DELETE FROM "teams" while it runs/);
      expect(a.db.prepare("SELECT count(*) FROM _sync_log WHERE op = 3").pluck().get()).toBe(0); // nothing logged: rolled back
      a.db.exec('DROP TABLE teams; ALTER TABLE squads RENAME TO teams');
      const restarted = enableCapture(a.db, TABLES);
      a.db.exec("UPDATE teams SET name = 'TWO' WHERE id = 't2'");
      pullAll(restarted, b.tracker);
      expect(tableRows(b.db, 'teams')).toEqual(tableRows(a.db, 'teams'));
      expect(b.db.prepare('SELECT id, name FROM teams ORDER BY id').raw(true).all()).toEqual([['t1', 'one'], ['t2', 'TWO']]);
    } finally {
      a.cleanup();
      b.cleanup();
    }
  });

  it('dropped and made again empty while stopped: refused, with how to really delete everything', () => {
    const { a, b } = twoServers();
    try {
      a.db.exec(`DROP TABLE teams; ${TEAMS}`);
      expect(failure(() => enableCapture(a.db, TABLES))).toMatch(/^500 CAPTURE_REFUSED: .*"teams": it is empty .*dropped and made again, or renamed away.*restore its rows from a backup.*DELETE FROM "teams" while it runs/);
    } finally {
      a.cleanup();
      b.cleanup();
    }
  });

  it('missing at start while the metadata holds rows: the refusal points at renaming it back and warns that creating it empty brings nothing back', () => {
    const { a, b } = twoServers();
    try {
      a.db.exec('ALTER TABLE teams RENAME TO squads');
      const message = failure(() => enableCapture(a.db, TABLES));
      expect(message).toMatch(/^500 CAPTURE_REFUSED: .*"teams": no such table .*holds 2 live row\(s\) of it; it was renamed to "squads".*rename it back \(ALTER TABLE "squads" RENAME TO "teams"\)/);
      expect(message).toMatch(/Creating it empty does not bring the rows back/);
      a.db.exec('DROP TABLE squads');
      expect(failure(() => enableCapture(a.db, TABLES))).toMatch(/no such table .*rename the table back \(ALTER TABLE <its new name> RENAME TO "teams"\) or restore it from a backup/);
    } finally {
      a.cleanup();
      b.cleanup();
    }
  });

  it('a rebuild that keeps rows still sends the ones it left out as deletes (not refused)', () => {
    const { a, b } = twoServers();
    try {
      a.db.pragma('foreign_keys = OFF');
      a.db.exec(`${TEAMS.replace('teams', 'teams_new')}; INSERT INTO teams_new SELECT * FROM teams WHERE id = 't1'; DROP TABLE teams; ALTER TABLE teams_new RENAME TO teams`);
      a.db.pragma('foreign_keys = ON');
      pullAll(enableCapture(a.db, TABLES), b.tracker);
      expect(b.db.prepare('SELECT id FROM teams').pluck().all()).toEqual(['t1']);
    } finally {
      a.cleanup();
      b.cleanup();
    }
  });
});
