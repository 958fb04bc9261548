import { enableCapture } from '../../../lib/data/capture';
import { pullAll, TEST_SCHEMA, tempDb } from '../../helpers/data';
import { nextMillisecond } from '../../helpers/clock';

/** Every public call of a tracker, with what its answer must be made of (plain numbers, never bigint). */
function exerciseEveryCall(safeBefore: boolean, safeAfter: boolean): void {
  const a = tempDb(TEST_SCHEMA);
  const b = tempDb(TEST_SCHEMA);
  try {
    a.db.defaultSafeIntegers(safeBefore);
    b.db.defaultSafeIntegers(safeBefore);
    const from = enableCapture(a.db, { tables: ['teams', 'reports'] });
    const to = enableCapture(b.db, { tables: ['teams', 'reports'] });
    a.db.defaultSafeIntegers(safeAfter);
    b.db.defaultSafeIntegers(safeAfter);
    a.db.exec("INSERT INTO teams VALUES ('t1', 'Robots', 254, NULL, NULL)");
    a.db.prepare('INSERT INTO teams VALUES (?, ?, ?, NULL, NULL)').run('t2', 'Big', 2n ** 62n);
    pullAll(from, to);
    a.db.exec("INSERT INTO reports (id, team_id, match, scout) VALUES ('ra', 't1', 'Q1', 'ann')");
    nextMillisecond();
    b.db.exec("INSERT INTO reports (id, team_id, match, scout) VALUES ('rb', 't1', 'Q1', 'ann')");
    pullAll(from, to);
    pullAll(to, from);
    to.savePushCursor(from.siteId, 3);
    const answers: Record<string, unknown> = {
      info: to.info(from.siteId),
      page: to.readChanges(to.pushCursor(from.siteId), 10, from.siteId),
      pull: to.pullCursor(from.siteId),
      push: to.pushCursor(from.siteId),
      count: to.conflictCount(),
      list: to.listConflicts(),
      view: to.peerView(from.siteId),
      fold: to.fold(),
    };
    expect(JSON.stringify(answers, (_key, value: unknown) => (typeof value === 'bigint' ? 'BIGINT' : value))).not.toContain('BIGINT');
    expect(answers.count).toBe(1);
    const [conflict] = to.listConflicts();
    expect(to.resolveConflict(conflict!.id, { action: 'restore', values: { scout: 'bo' } })).toEqual({ id: conflict!.id, action: 'restore', seq: expect.any(Number) });
    pullAll(to, from);
    expect(a.db.prepare('SELECT id, scout FROM reports ORDER BY id').safeIntegers(false).all()).toEqual([
      { id: 'ra', scout: 'ann' },
      { id: 'rb', scout: 'bo' },
    ]);
    expect(b.db.prepare("SELECT number FROM teams WHERE id = 't2'").pluck().safeIntegers(true).get()).toBe(2n ** 62n);
  } finally {
    a.cleanup();
    b.cleanup();
  }
}

describe('a connection in safe-integers mode', () => {
  it.each([
    ['before capture', true, false],
    ['after capture', false, true],
    ['before and after capture', true, true],
  ])('%s: every public call answers plain numbers, and sync works', (_name, before, after) => {
    exerciseEveryCall(before, after);
  });

  it('refuses a table without a key with the right message, not "no PRIMARY KEY" for a good one', () => {
    const temp = tempDb('CREATE TABLE good (id TEXT PRIMARY KEY NOT NULL, v INTEGER); CREATE TABLE bad (v INTEGER)');
    try {
      temp.db.defaultSafeIntegers(true);
      expect(enableCapture(temp.db, { tables: ['good'] }).schema.tables.good).toEqual([
        ['id', 'TEXT', 1],
        ['v', 'INTEGER', 0],
      ]);
      expect(() => enableCapture(temp.db, { tables: ['bad'] })).toThrow(/has no PRIMARY KEY/);
    } finally {
      temp.cleanup();
    }
  });

  it('parks an orphan (A points a report at a team B deleted) instead of throwing SQLITE_CONSTRAINT_FOREIGNKEY', () => {
    const a = tempDb(TEST_SCHEMA);
    const b = tempDb(TEST_SCHEMA);
    try {
      for (const temp of [a, b]) temp.db.defaultSafeIntegers(true);
      const [from, to] = [enableCapture(a.db, { tables: ['teams', 'reports'] }), enableCapture(b.db, { tables: ['teams', 'reports'] })];
      a.db.exec("INSERT INTO teams VALUES ('t1', 'Robots', 254, NULL, NULL), ('t2', 'Gears', 1, NULL, NULL); INSERT INTO reports (id, team_id, match, scout) VALUES ('m', 't2', 'Q1', 'ann')");
      pullAll(from, to);
      a.db.exec("UPDATE reports SET team_id = 't1', score = 9 WHERE id = 'm'");
      b.db.exec("DELETE FROM teams WHERE id = 't1'");
      pullAll(from, to);
      pullAll(to, from);
      for (const temp of [a, b]) {
        expect(temp.db.prepare('SELECT count(*) FROM reports').pluck().safeIntegers(false).get()).toBe(0);
        expect(temp.db.pragma('foreign_key_check')).toEqual([]);
      }
      expect(from.listConflicts().map(({ at: _at, ...entry }) => entry)).toEqual(to.listConflicts().map(({ at: _at, ...entry }) => entry));
      expect(to.listConflicts()[0]).toMatchObject({ reason: 'FOREIGN_KEY', parked: { id: 'm', team_id: 't1', score: 9 } });
    } finally {
      a.cleanup();
      b.cleanup();
    }
  });
});
