import { enableCapture } from '../../../lib/data/capture';
import { SyncError } from '../../../lib/sync-error';
import { dbDigest, pullAll, tableRows, tempDb, trackedDb, TEST_SCHEMA } from '../../helpers/data';

/**
 * A TEMP table or view made on the server's own connection under the name of one of sync's metadata
 * tables: sync's statements name them unqualified, so on that connection they reached the TEMP one
 * (the capture triggers, permanent, still logged to main's). A faithful TEMP copy of `_sync_rows` took
 * the merges' rows, every round ok; once it was dropped, main's `_sync_rows` lacked them and the next
 * change to such a row was refused for ever ("creates or revives a row without every column"). Other
 * shapes failed with SQLite's own errors (a view "cannot be modified", `_sync_state.folded` NOT NULL).
 * Sync now stops with SCHEMA_CHANGED naming the DROP, and goes on by itself once it is gone, as for a
 * TEMP table hiding a tracked one (ag1-temp-table-shadows).
 */
function refusal(work: () => unknown): string | undefined {
  try {
    work();
    return undefined;
  } catch (error) {
    if (error instanceof SyncError) return `${error.status} ${error.code}: ${error.message}`;
    throw error;
  }
}

const ROWS_COPY = `CREATE TEMP TABLE _sync_rows (born INTEGER PRIMARY KEY, tbl INTEGER NOT NULL, pk NOT NULL, cl INTEGER NOT NULL, hlc INTEGER NOT NULL, site INTEGER NOT NULL, UNIQUE (tbl, pk));
  INSERT INTO temp._sync_rows SELECT * FROM main._sync_rows`;

describe('a TEMP object named like a metadata table made while the server runs', () => {
  it.each([
    ['a faithful TEMP copy of _sync_rows', ROWS_COPY, 'table', '_sync_rows', 'DROP TABLE temp."_sync_rows"'],
    ['a TEMP _sync_log', 'CREATE TEMP TABLE _sync_log AS SELECT * FROM main._sync_log WHERE 0', 'table', '_sync_log', 'DROP TABLE temp."_sync_log"'],
    ['a TEMP _SYNC_STATE (another case)', 'CREATE TEMP TABLE _SYNC_STATE AS SELECT * FROM main._sync_state', 'table', '_SYNC_STATE', 'DROP TABLE temp."_SYNC_STATE"'],
    ['a TEMP view _sync_cells', 'CREATE TEMP VIEW _sync_cells AS SELECT * FROM main._sync_cells', 'view', '_sync_cells', 'DROP VIEW temp."_sync_cells"'],
  ])('%s: applies, reads and folds refuse with SCHEMA_CHANGED naming the DROP, nothing is written, and sync goes on once it is dropped', (_, create, kind, name, drop) => {
    const a = trackedDb();
    const b = trackedDb();
    try {
      a.db.exec("INSERT INTO teams (id, name, number) VALUES ('t1', 'one', 1)");
      pullAll(a.tracker, b.tracker);
      b.db.exec(create);
      a.db.exec("INSERT INTO teams (id, name, number) VALUES ('t2', 'two', 2); UPDATE teams SET number = 5 WHERE id = 't1'");
      b.db.exec("INSERT INTO teams (id, name, number) VALUES ('t3', 'three', 3)");
      const before = dbDigest(b.db);
      const expected = new RegExp(`^409 SCHEMA_CHANGED: .*a TEMP ${kind} "${name}" made on this server's connection takes the name of sync's metadata table "${name.toLowerCase()}".*drop it \\(${drop.replace(/[.()]/g, '\\$&')}\\)`);
      expect(refusal(() => pullAll(a.tracker, b.tracker))).toMatch(expected);
      expect(refusal(() => b.tracker.readChanges(0, 100))).toMatch(/^409 SCHEMA_CHANGED/);
      expect(refusal(() => b.tracker.fold())).toMatch(/^409 SCHEMA_CHANGED/);
      expect(dbDigest(b.db)).toBe(before);
      b.db.exec(drop);
      pullAll(a.tracker, b.tracker);
      pullAll(b.tracker, a.tracker);
      a.db.exec("UPDATE teams SET number = 9 WHERE id = 't2'");
      pullAll(a.tracker, b.tracker);
      expect(tableRows(b.db, 'teams')).toEqual(tableRows(a.db, 'teams'));
      expect(tableRows(b.db, 'teams').map((row) => [row[0], row[2]])).toEqual([['t1', 5n], ['t2', 9n], ['t3', 3n]]);
    } finally {
      a.cleanup();
      b.cleanup();
    }
  });

  it("sync's own TEMP tables and another _sync_ name change nothing", () => {
    const a = trackedDb();
    const b = trackedDb();
    try {
      b.db.exec('CREATE TEMP TABLE _sync_import_sites (x); CREATE TEMP TABLE _sync_scratch (x)');
      a.db.exec("INSERT INTO teams (id, name) VALUES ('t1', 'one')");
      pullAll(a.tracker, b.tracker);
      expect(tableRows(b.db, 'teams')).toEqual(tableRows(a.db, 'teams'));
    } finally {
      a.cleanup();
      b.cleanup();
    }
  });
});

describe('enableCapture on a connection with such a TEMP object', () => {
  it('refuses with CAPTURE_REFUSED naming the DROP, and writes no metadata; starts once it is dropped', () => {
    const b = tempDb(TEST_SCHEMA);
    try {
      b.db.exec('CREATE TEMP TABLE _sync_log (seq INTEGER PRIMARY KEY, tbl, op, pk, cols, hlc)');
      let refused: unknown;
      try {
        enableCapture(b.db, { tables: ['teams', 'reports'] });
      } catch (error) {
        refused = error;
      }
      expect(refused).toBeInstanceOf(SyncError);
      expect(refused).toMatchObject({ code: 'CAPTURE_REFUSED' });
      expect((refused as SyncError).message).toMatch(/^express-sqlite-sync: cannot enable capture: a TEMP table "_sync_log" on this connection takes the name of sync's metadata table "_sync_log".*DROP TABLE temp\."_sync_log" before enabling capture$/);
      expect(b.db.prepare("SELECT count(*) FROM main.sqlite_master WHERE name LIKE '\\_sync\\_%' ESCAPE '\\'").pluck().get()).toBe(0);
      b.db.exec('DROP TABLE temp._sync_log');
      const tracker = enableCapture(b.db, { tables: ['teams', 'reports'] });
      b.db.exec("INSERT INTO teams (id, name) VALUES ('t1', 'one')");
      expect(tracker.readChanges(0, 100).changes).toHaveLength(1);
    } finally {
      b.cleanup();
    }
  });
});
