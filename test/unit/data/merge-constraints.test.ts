import type { WireChangeset } from '../../../lib/data/changeset';
import { dbDigest, pullAll, trackedDb } from '../../helpers/data';
import { nextMillisecond } from '../../helpers/clock';

type Tracked = ReturnType<typeof trackedDb>;

function conflictsOf(server: Tracked): unknown[] {
  return server.tracker.listConflicts().map(({ at: _at, ...entry }) => entry);
}

describe('foreign keys and UNIQUE constraints during a merge', () => {
  let a: Tracked;
  let b: Tracked;
  beforeEach(() => {
    a = trackedDb();
    b = trackedDb();
  });
  afterEach(() => {
    a.cleanup();
    b.cleanup();
  });

  it('applies a child that arrives before its parent in the same changeset', () => {
    a.db.exec("INSERT INTO teams VALUES ('t1', 'Robots', 254, NULL, NULL)");
    a.db.exec("INSERT INTO reports (id, team_id, match, scout, score) VALUES ('r1', 't1', 'Q1', 'ann', 5)");
    const page = a.tracker.readChanges(0, 10);
    const reversed: WireChangeset = { ...page, changes: [...page.changes].reverse() };
    expect(reversed.changes.map((change) => change.table)).toEqual(['reports', 'teams']);
    expect(b.tracker.applyChangeset(reversed)).toMatchObject({ applied: 2, conflicts: [] });
    expect(b.db.prepare('SELECT id, team_id, score FROM reports').all()).toEqual([{ id: 'r1', team_id: 't1', score: 5 }]);
  });

  it('never sends a child before its parent, whatever the page size', () => {
    a.db.exec("INSERT INTO teams VALUES ('t1', 'Robots', 254, NULL, NULL)");
    a.db.exec("INSERT INTO reports (id, team_id, match, scout) VALUES ('r1', 't1', 'Q1', 'ann')");
    // The parent is reborn after its child: its birth now comes later in seq order.
    a.db.exec("PRAGMA foreign_keys = OFF; DELETE FROM teams; INSERT INTO teams VALUES ('t1', 'Reborn', 1, NULL, NULL); PRAGMA foreign_keys = ON");
    const first = a.tracker.readChanges(0, 1);
    expect(first.changes.map((change) => change.table)).toEqual(['teams', 'reports']);
    expect(b.tracker.applyChangeset(first).conflicts).toEqual([]);
    expect(b.db.prepare('SELECT count(*) FROM reports').pluck().get()).toBe(1);
  });

  it('keeps the earliest claim of a UNIQUE value visible on both servers and parks the later one, its origin included', () => {
    a.db.exec("INSERT INTO teams VALUES ('t1', 'Robots', 254, NULL, NULL)");
    pullAll(a.tracker, b.tracker);
    a.db.exec("INSERT INTO reports (id, team_id, match, scout, score) VALUES ('ra', 't1', 'Q1', 'ann', 1)");
    nextMillisecond();
    b.db.exec("INSERT INTO reports (id, team_id, match, scout, score) VALUES ('rb', 't1', 'Q1', 'ann', 2)");
    const result = b.tracker.applyChangeset(a.tracker.readChanges(0, 10, b.tracker.siteId));
    // ra was written first: it holds the value; rb, written later on b itself, is parked on b.
    expect(result.conflicts).toEqual([expect.objectContaining({ table: 'reports', key: ['rb'], reason: 'UNIQUE', id: expect.stringMatching(/^[0-9a-f]{16}$/) })]);
    pullAll(b.tracker, a.tracker);
    for (const server of [a, b]) expect(server.db.prepare('SELECT id, score FROM reports').all()).toEqual([{ id: 'ra', score: 1 }]);
    expect(conflictsOf(a)).toEqual(conflictsOf(b));
    expect(conflictsOf(a)).toEqual([
      expect.objectContaining({
        table: 'reports',
        key: ['rb'],
        reason: 'UNIQUE',
        parked: { id: 'rb', team_id: 't1', match: 'Q1', scout: 'ann', score: 2, notes: null },
        holder: { id: 'ra', team_id: 't1', match: 'Q1', scout: 'ann', score: 1, notes: null },
        message: expect.stringContaining('UNIQUE (match, team_id, scout)'),
      }),
    ]);
  });

  it('lets a later change in the same changeset free a UNIQUE value: no conflict', () => {
    a.db.exec("INSERT INTO teams VALUES ('t1', 'Robots', 254, NULL, NULL)");
    a.db.exec("INSERT INTO reports (id, team_id, match, scout) VALUES ('r1', 't1', 'Q1', 'ann')");
    b.tracker.applyChangeset(a.tracker.readChanges(0, 10));
    const since = a.tracker.info().seq;
    a.db.exec("UPDATE reports SET scout = 'bo' WHERE id = 'r1'");
    a.db.exec("INSERT INTO reports (id, team_id, match, scout) VALUES ('r2', 't1', 'Q1', 'ann')");
    const page = a.tracker.readChanges(since, 10);
    const reversed: WireChangeset = { ...page, changes: [...page.changes].reverse() };
    expect(b.tracker.applyChangeset(reversed)).toMatchObject({ applied: 2, conflicts: [] });
    expect(b.db.prepare('SELECT id, scout FROM reports ORDER BY id').all()).toEqual([{ id: 'r1', scout: 'bo' }, { id: 'r2', scout: 'ann' }]);
    expect(b.tracker.conflictCount()).toBe(0);
  });

  it('parks a child whose parent was deleted concurrently, on both servers, and keeps syncing its edits', () => {
    a.db.exec("INSERT INTO teams VALUES ('t1', 'Robots', 254, NULL, NULL)");
    pullAll(a.tracker, b.tracker);
    a.db.exec("DELETE FROM teams WHERE id = 't1'");
    b.db.exec("INSERT INTO reports (id, team_id, match, scout) VALUES ('r1', 't1', 'Q1', 'ann')");
    const result = b.tracker.applyChangeset(a.tracker.readChanges(0, 10, b.tracker.siteId));
    expect(result.conflicts).toEqual([expect.objectContaining({ table: 'reports', key: ['r1'], reason: 'FOREIGN_KEY' })]);
    pullAll(b.tracker, a.tracker);
    for (const server of [a, b]) {
      expect(server.db.prepare('SELECT count(*) FROM reports').pluck().get()).toBe(0);
      expect(server.db.pragma('foreign_key_check')).toEqual([]);
    }
    expect(conflictsOf(a)).toEqual(conflictsOf(b));
    expect(conflictsOf(a)[0]).toMatchObject({ parked: { id: 'r1', team_id: 't1' }, holder: { table: 'teams', key: ['t1'] } });
  });

  it('refuses the whole changeset when a value breaks NOT NULL, leaving the database unchanged', () => {
    a.db.exec("INSERT INTO teams VALUES ('t1', 'Robots', 254, NULL, NULL), ('t2', 'Gears', 1, NULL, NULL)");
    const page = a.tracker.readChanges(0, 10);
    page.changes[1]!.cells!.name = null;
    const before = dbDigest(b.db);
    expect(() => b.tracker.applyChangeset(page)).toThrow(expect.objectContaining({ code: 'INVALID_VALUE', status: 400 }));
    expect(dbDigest(b.db)).toBe(before);
  });
});
