import { enableCapture } from '../../../lib/data/capture';
import { pullAll, tempDb, type TempDb } from '../../helpers/data';

/**
 * `REPLACE INTO cats VALUES ('c1', 2, 'a', 'c1')` over c1 ('A': the same name under
 * NOCASE) while c2 holds code 2 and points at c1: SQLite deletes c1 (its
 * foreign-key action sets c2.up to NULL: an UPDATE the capture logs), then
 * deletes c2 for its code with no delete trigger, and inserts the new c1. The
 * BEFORE trigger logged c2 as replaced (op 4) before both, so the fold counted
 * c2 dead, then took the foreign-key action's update of the dead row for a
 * birth: c2 was alive in the metadata and in no table (a ghost), its peers
 * kept c2 for good, and their later edits of it were dropped.
 */
const SCHEMA = `CREATE TABLE cats (
  id TEXT PRIMARY KEY NOT NULL,
  code INTEGER UNIQUE,
  name TEXT COLLATE NOCASE UNIQUE,
  up TEXT REFERENCES cats (id) ON DELETE SET NULL ON UPDATE CASCADE
);`;

function cats(temp: TempDb): unknown[] {
  return temp.db.prepare('SELECT id, code, name, up FROM cats ORDER BY id').raw(true).all();
}

function liveInMetadata(temp: TempDb): unknown[] {
  return temp.db.prepare('SELECT pk FROM _sync_rows WHERE cl % 2 = 1 ORDER BY pk').pluck().all();
}

describe('a REPLACE that deletes a row its own foreign-key action updated first', () => {
  let a: TempDb;
  let b: TempDb;
  afterEach(() => {
    a.cleanup();
    b.cleanup();
  });

  it.each([['the tracker'], ['another connection']])('from %s: the row is dead in the metadata and on the peer', (via) => {
    [a, b] = [tempDb(SCHEMA), tempDb(SCHEMA)];
    const [ta, tb] = [enableCapture(a.db, { tables: ['cats'] }), enableCapture(b.db, { tables: ['cats'] })];
    a.db.exec("INSERT INTO cats VALUES ('c1', NULL, 'A', NULL); INSERT INTO cats VALUES ('c2', 2, 'é', 'c1')");
    pullAll(ta, tb);
    const writer = via === 'the tracker' ? a.db : a.connect();
    writer.pragma('foreign_keys = ON');
    writer.exec("REPLACE INTO cats VALUES ('c1', 2, 'a', 'c1')");
    expect(cats(a)).toEqual([['c1', 2, 'a', 'c1']]);
    pullAll(ta, tb);
    expect(liveInMetadata(a)).toEqual(['c1']);
    expect(cats(b)).toEqual(cats(a));
    expect(liveInMetadata(b)).toEqual(['c1']);
    expect([ta.listConflicts(), tb.listConflicts()]).toEqual([[], []]);
  });
});
