import path from 'node:path';
import Database from 'better-sqlite3';
import { enableCapture } from '../../../lib/data/capture';
import type { ChangeTracker } from '../../../lib/data/change-tracker';
import { pullAll, trackedDb, type TempDb } from '../../helpers/data';
import { tempDir } from '../../helpers/temp';

type Tracked = TempDb & { readonly tracker: ChangeTracker };

/** A copy of a database that kept its site id (a block-level copy: no file identity recorded), capturing. */
function cloneOf(original: Tracked): { readonly db: Database.Database; readonly tracker: ChangeTracker; close(): void } {
  const dir = tempDir('ess-clone-');
  original.db.prepare('VACUUM INTO ?').run(path.join(dir.dir, 'copy.db'));
  const db = new Database(path.join(dir.dir, 'copy.db'));
  db.prepare('UPDATE _sync_state SET file_id = NULL WHERE id = 1').run();
  const tracker = enableCapture(db, { tables: ['teams', 'reports'] });
  expect(tracker.siteId).toBe(original.tracker.siteId);
  return { db, tracker, close: () => (db.close(), dir.cleanup()) };
}

describe('tracker.lacksOwnChanges: a page under this site id that only a clone can have written', () => {
  const opened: { cleanup(): void }[] = [];
  const tracked = (): Tracked => {
    const made = trackedDb();
    opened.push(made);
    return made;
  };
  afterEach(() => {
    for (const each of opened.splice(0)) each.cleanup();
  });

  it('holds every page it wrote, read back at any time: after later edits, a peer\'s newer write and deletes', () => {
    const a = tracked();
    const b = tracked();
    a.db.exec("INSERT INTO teams (id, name, number) VALUES ('t1', 'one', 1), ('t2', 'two', 2), ('t3', 'three', 3)");
    a.db.exec("UPDATE teams SET name = 'uno' WHERE id = 't1'");
    const first = a.tracker.readChanges(0, 100);
    a.db.exec("UPDATE teams SET name = 'eins', number = 11 WHERE id = 't1'");
    a.db.exec("DELETE FROM teams WHERE id = 't2'");
    pullAll(a.tracker, b.tracker);
    b.db.exec("UPDATE teams SET name = 'drei' WHERE id = 't3'");
    pullAll(b.tracker, a.tracker);
    a.db.exec("INSERT INTO teams (id, name, number) VALUES ('t2', 'two again', 2)");
    const later = a.tracker.readChanges(0, 100);
    expect(a.tracker.lacksOwnChanges(first)).toBe(false);
    expect(a.tracker.lacksOwnChanges(later)).toBe(false);
    expect(a.tracker.lacksOwnChanges(JSON.parse(JSON.stringify(a.tracker.readCompactChanges(0, 100))))).toBe(false);
  });

  it('finds what a clone wrote under the same site id: a new row, a cell, a delete, a second life', () => {
    const a = tracked();
    a.db.exec("INSERT INTO teams (id, name, number) VALUES ('t1', 'one', 1), ('t2', 'two', 2)");
    const seq = a.tracker.info().seq;
    const cases: [string, string][] = [
      ['a new row', "INSERT INTO teams (id, name, number) VALUES ('c1', 'clone', 9)"],
      ['a cell', "UPDATE teams SET number = 99 WHERE id = 't1'"],
      ['a delete', "DELETE FROM teams WHERE id = 't2'"],
    ];
    for (const [what, sql] of cases) {
      const clone = cloneOf(a);
      try {
        clone.db.exec(sql);
        expect([what, a.tracker.lacksOwnChanges(clone.tracker.readChanges(seq, 100))]).toEqual([what, true]);
      } finally {
        clone.close();
      }
    }
    a.db.exec("DELETE FROM teams WHERE id = 't2'");
    const clone = cloneOf(a);
    try {
      // The same second life on both (the same cl), each its own birth clock.
      a.db.exec("INSERT INTO teams (id, name, number) VALUES ('t2', 'back on a', 2)");
      for (const until = Date.now() + 3; Date.now() < until; ); // another millisecond: another clock
      clone.db.exec("INSERT INTO teams (id, name, number) VALUES ('t2', 'back on the clone', 2)");
      expect(a.tracker.lacksOwnChanges(clone.tracker.readChanges(a.tracker.info().seq - 1, 100))).toBe(true);
    } finally {
      clone.close();
    }
  });

  it('tells nothing of pages it cannot read, nor of another site\'s changes', () => {
    const a = tracked();
    const b = tracked();
    b.db.exec("INSERT INTO teams (id, name, number) VALUES ('b1', 'from b', 1)");
    expect(a.tracker.lacksOwnChanges(b.tracker.readChanges(0, 100))).toBe(false);
    expect(a.tracker.lacksOwnChanges({ protocol: 1, nonsense: true })).toBe(false);
    expect(a.tracker.lacksOwnChanges('not a page')).toBe(false);
    const other = { ...b.tracker.readChanges(0, 100), schema: { fingerprint: '0'.repeat(64), tables: {} } };
    expect(a.tracker.lacksOwnChanges(other)).toBe(false);
  });
});
