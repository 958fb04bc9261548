import { enableCapture } from '../../../lib/data/capture';
import type { ChangeTracker } from '../../../lib/data/change-tracker';
import { tempDb, type TempDb } from '../../helpers/data';

const SCHEMA = 'CREATE TABLE reports (id TEXT PRIMARY KEY NOT NULL, match TEXT NOT NULL, scout TEXT NOT NULL, notes TEXT, UNIQUE (match, scout))';

function server(): TempDb & { tracker: ChangeTracker } {
  const temp = tempDb(SCHEMA);
  return { ...temp, tracker: enableCapture(temp.db, { tables: ['reports'] }) };
}

function pull(to: ReturnType<typeof server>, from: ReturnType<typeof server>) {
  return to.tracker.applyChangeset(from.tracker.readChanges(to.tracker.pullCursor(from.tracker.siteId), 100, to.tracker.siteId));
}

describe('a row kept out by a UNIQUE clash', () => {
  it('is recorded once, and later changes to it or to other rows still apply (no stalled pull)', () => {
    const a = server();
    const b = server();
    try {
      a.db.prepare("INSERT INTO reports VALUES ('k1', 'm1', 'sam', 'from A')").run();
      b.db.prepare("INSERT INTO reports VALUES ('k2', 'm1', 'sam', 'from B')").run();
      expect(pull(a, b).conflicts.map((conflict) => conflict.reason)).toEqual(['UNIQUE']);
      b.db.prepare("UPDATE reports SET notes = 'edited on B' WHERE id = 'k2'").run();
      expect(pull(a, b)).toMatchObject({ conflicts: [] });
      b.db.prepare("INSERT INTO reports VALUES ('k3', 'm2', 'sam', 'unrelated')").run();
      expect(pull(a, b)).toMatchObject({ applied: 1, conflicts: [] });
      expect(a.db.prepare('SELECT id FROM reports ORDER BY id').pluck().all()).toEqual(['k1', 'k3']);
      expect(a.tracker.listConflicts()).toHaveLength(1);
      // The parked row is not forwarded as if it existed here.
      const c = server();
      try {
        pull(c, a);
        expect(c.db.prepare('SELECT id FROM reports ORDER BY id').pluck().all()).toEqual(['k1', 'k3']);
      } finally {
        c.cleanup();
      }
    } finally {
      a.cleanup();
      b.cleanup();
    }
  });

  it('comes back when a later life of the row no longer clashes', () => {
    const a = server();
    const b = server();
    try {
      a.db.prepare("INSERT INTO reports VALUES ('k1', 'm1', 'sam', 'from A')").run();
      b.db.prepare("INSERT INTO reports VALUES ('k2', 'm1', 'sam', 'from B')").run();
      pull(a, b);
      b.db.prepare("DELETE FROM reports WHERE id = 'k2'").run();
      b.db.prepare("INSERT INTO reports VALUES ('k2', 'm9', 'sam', 'fixed on B')").run();
      expect(pull(a, b)).toMatchObject({ conflicts: [] });
      expect(a.db.prepare('SELECT id, match FROM reports ORDER BY id').all()).toEqual([
        { id: 'k1', match: 'm1' },
        { id: 'k2', match: 'm9' },
      ]);
    } finally {
      a.cleanup();
      b.cleanup();
    }
  });
});
