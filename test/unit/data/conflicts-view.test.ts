import path from 'node:path';
import Database from 'better-sqlite3';
import { enableCapture } from '../../../lib/data/capture';
import { buildSnapshotFile } from '../../../lib/data/snapshot-file';
import { pullAll, tempDb, trackedDb } from '../../helpers/data';

type Row = Record<string, unknown>;

/**
 * Issue 4's contract: a UNIQUE clash or foreign-key failure that no merge rule
 * settles "is recorded in `_sync_conflicts` with both versions and reported in
 * the result". The parked rows are that record; `_sync_conflicts` is a view of
 * them, so the table the issue names can be queried (from any connection).
 */
describe('_sync_conflicts', () => {
  it('lists a UNIQUE clash with its kept-out version, as the result reports it', () => {
    const a = trackedDb();
    const b = trackedDb();
    try {
      a.db.prepare("INSERT INTO teams (id, name) VALUES ('t', 'T')").run();
      pullAll(a.tracker, b.tracker);
      a.db.prepare("INSERT INTO reports (id, team_id, match, scout, score, notes) VALUES ('ra', 't', 'q1', 'sam', 3, x'00ff')").run();
      b.db.prepare("INSERT INTO reports (id, team_id, match, scout, score, notes) VALUES ('rb', 't', 'q1', 'sam', 4, x'00ff')").run();
      expect(b.db.prepare('SELECT * FROM _sync_conflicts').all()).toEqual([]);
      const result = b.tracker.applyChangeset(a.tracker.readChanges(b.tracker.pullCursor(a.tracker.siteId), 100, b.tracker.siteId));
      expect(result.conflicts).toHaveLength(1);
      const other = new Database(b.file, { readonly: true });
      const rows = other.prepare('SELECT * FROM _sync_conflicts').all() as Row[];
      other.close();
      expect(rows).toHaveLength(1);
      const [row] = rows;
      const [entry] = b.tracker.listConflicts();
      expect(row).toMatchObject({ id: result.conflicts[0]?.id, table_name: 'reports', reason: 'UNIQUE', key: JSON.stringify(result.conflicts[0]?.key) });
      expect(JSON.parse(String(row?.parked))).toEqual({ ...entry?.parked, notes: { $hex: '00FF' } });
      expect(entry?.holder).toMatchObject({ match: 'q1', scout: 'sam' }); // the other version, on GET /data/conflicts
      expect(typeof row?.at).toBe('string');
    } finally {
      a.cleanup();
      b.cleanup();
    }
  });

  it('follows the tracked tables, is harmless to re-create, and leaves a table of that name from an earlier version alone', () => {
    const temp = tempDb('CREATE TABLE notes (id TEXT PRIMARY KEY NOT NULL, body TEXT); CREATE TABLE tags (id TEXT PRIMARY KEY NOT NULL, label TEXT UNIQUE)');
    try {
      enableCapture(temp.db, { tables: ['notes', 'tags'] });
      enableCapture(temp.db, { tables: ['notes'] });
      expect(temp.db.prepare('SELECT count(*) FROM _sync_conflicts').pluck().get()).toBe(0);
      temp.db.exec('DROP VIEW _sync_conflicts; CREATE TABLE _sync_conflicts (x)');
      enableCapture(temp.db, { tables: ['notes', 'tags'] });
      expect(temp.db.prepare("SELECT type FROM sqlite_schema WHERE name = '_sync_conflicts'").pluck().get()).toBe('table');
    } finally {
      temp.cleanup();
    }
  });

  it('is left out of a snapshot without the VACUUM that dropping an app\'s view or table costs', async () => {
    const a = trackedDb();
    try {
      a.db.prepare("INSERT INTO teams (id, name) VALUES ('t', 'T')").run();
      const exec = jest.spyOn(Database.prototype, 'exec');
      const target = path.join(path.dirname(a.file), 'snapshot.db');
      await buildSnapshotFile({ source: a.file, target, tables: ['teams', 'reports'] });
      const vacuums = exec.mock.calls.filter(([sql]) => /^\s*VACUUM\s*$/i.test(sql));
      exec.mockRestore();
      expect(vacuums).toEqual([]);
      const snapshot = new Database(target, { readonly: true });
      expect(snapshot.prepare("SELECT name FROM sqlite_schema WHERE type = 'view'").all()).toEqual([]);
      snapshot.close();
    } finally {
      a.cleanup();
    }
  });
});
