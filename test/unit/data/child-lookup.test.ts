import Database from 'better-sqlite3';
import { childLookup } from '../../../lib/data/child-lookup';
import type { TrackedTable } from '../../../lib/data/tracked-table';
import type { SqlValue } from '../../../lib/data/values';
import { AWKWARD_VALUES, openAffinityGrid, PARENT_TYPES, sqliteChildren, trackedTable } from '../../helpers/fk-affinity-grid';

/**
 * childLookup finds exactly the rows SQLite's own foreign-key check pairs with
 * a parent value (PRAGMA foreign_key_check is the oracle), for every mix of
 * parent and child column types and a table of awkward values; and it goes
 * through the child column's index wherever every matching spelling can be named.
 */

function lookupKeys(db: Database.Database, child: TrackedTable, parent: TrackedTable, value: SqlValue): string[] {
  const [fk] = child.foreignKeys;
  if (fk === undefined) throw new Error('no foreign key');
  const lookup = childLookup(child, fk, parent, [value]);
  return (db.prepare(lookup.sql).pluck().all(...lookup.params) as string[]).sort();
}

describe.each(PARENT_TYPES)('childLookup under a parent column "%s"', (parentType) => {
  it('finds the rows foreign_key_check takes as children, for every child type and value', () => {
    const { db, parent, children } = openAffinityGrid(parentType, true);
    try {
      for (const value of AWKWARD_VALUES) {
        db.exec(`DELETE FROM parent; INSERT INTO parent VALUES ('p', ${value})`);
        const stored = db.prepare("SELECT code FROM parent WHERE id = 'p'").pluck().get() as SqlValue;
        if (stored === null) continue; // NaN is stored as NULL: no children
        for (const child of children) {
          const where = `${child.name} (${parentType} ← ${value})`;
          expect([where, lookupKeys(db, child, parent, stored)]).toEqual([where, sqliteChildren(db, child)]);
        }
      }
    } finally {
      db.close();
    }
  });
});

describe('childLookup through the child column index', () => {
  const plans: readonly [string, string, string, string, boolean][] = [
    // [case, parent type, child type, parent value (SQL), index used]
    ['TEXT under TEXT', 'TEXT', 'TEXT', "'2024'", true],
    ['no affinity under TEXT', 'TEXT', '', "'2024'", true],
    ['INTEGER under TEXT', 'TEXT', 'INTEGER', "'2024'", true],
    ['INTEGER under INTEGER', 'INTEGER', 'INTEGER', '2024', true],
    ['TEXT under INTEGER, a text parent value', 'INTEGER', 'TEXT', "'x'", true],
    ['BLOB value under TEXT', 'TEXT', '', "x'00ff'", true],
    ['NOCASE child under NOCASE', 'TEXT COLLATE NOCASE', 'TEXT COLLATE NOCASE', "'Rust'", true],
    // Any spelling of a number ('02024', ' 2024', '2.024e3') is a child: scanned, as SQLite's own delete check does.
    ['TEXT under INTEGER', 'INTEGER', 'TEXT', '2024', false],
    ['BINARY child under NOCASE', 'TEXT COLLATE NOCASE', 'TEXT', "'Rust'", false],
  ];

  it.each(plans)('%s', (_name, parentType, childType, value, indexed) => {
    const db = new Database(':memory:');
    db.defaultSafeIntegers(true);
    try {
      db.exec(`CREATE TABLE parent (id TEXT PRIMARY KEY NOT NULL, code ${parentType} UNIQUE); INSERT INTO parent VALUES ('p', ${value})`);
      db.exec(`CREATE TABLE child (id TEXT PRIMARY KEY NOT NULL, ref ${childType} REFERENCES parent (code)); CREATE INDEX child_ref ON child (ref)`);
      const [parent, child] = [trackedTable(db, 'parent', 0), trackedTable(db, 'child', 1)];
      const [fk] = child.foreignKeys;
      if (fk === undefined) throw new Error('no foreign key');
      const lookup = childLookup(child, fk, parent, [db.prepare('SELECT code FROM parent').pluck().get() as SqlValue]);
      const plan = (db.prepare(`EXPLAIN QUERY PLAN ${lookup.sql}`).all(...lookup.params) as { detail: string }[]).map((step) => step.detail).join('; ');
      expect(plan).toMatch(indexed ? /USING INDEX child_ref/ : /^SCAN c$/);
    } finally {
      db.close();
    }
  });
});
