import Database from 'better-sqlite3';
import { parkedParentMatch } from '../../../lib/data/child-lookup';
import { parkedTableName, parkedTableSql } from '../../../lib/data/parked-table-sql';
import type { TrackedTable } from '../../../lib/data/tracked-table';
import { AWKWARD_VALUES, CHILD_TYPES, openAffinityGrid, PARENT_TYPES, sqliteChildren, trackedTable } from '../../helpers/fk-affinity-grid';

/**
 * parkedParentMatch pairs a parked child with a parked parent (both held
 * untyped, as their tables stored them) exactly as SQLite's own foreign-key
 * check pairs them once both are back (PRAGMA foreign_key_check on the typed
 * tables is the oracle), for every mix of parent and child column types and a
 * table of awkward values; and it probes the parked parent's index.
 */

/** Copies a table's rows into its parked rows' table, byte for byte (as ParkedRows.fromTable does). */
function park(db: Database.Database, table: TrackedTable): void {
  const columns = table.columns.map((column) => `"${column.name}"`).join(', ');
  db.exec(`DELETE FROM ${parkedTableName(table.id)}; INSERT INTO ${parkedTableName(table.id)} (${columns}, _sync_id, _sync_reason, _sync_at) SELECT ${columns}, id, 'FOREIGN_KEY', '' FROM "${table.name}"`);
}

function openFleet(parentType: string): { db: Database.Database; parent: TrackedTable; children: TrackedTable[] } {
  const grid = openAffinityGrid(parentType, false);
  for (const table of [grid.parent, ...grid.children]) grid.db.exec(parkedTableSql(table));
  for (const child of grid.children) park(grid.db, child);
  return grid;
}

/** The parked children the match pairs with the only parked parent row. */
function matchedKeys(db: Database.Database, child: TrackedTable, parent: TrackedTable): string[] {
  const [fk] = child.foreignKeys;
  if (fk === undefined) throw new Error('no foreign key');
  const sql = `SELECT o.id FROM ${parkedTableName(child.id)} AS o WHERE EXISTS (SELECT 1 FROM ${parkedTableName(parent.id)} AS q WHERE ${parkedParentMatch(fk, parent, 'q', 'o')})`;
  return (db.prepare(sql).pluck().all() as string[]).sort();
}

describe.each(PARENT_TYPES)('parkedParentMatch under a parent column "%s"', (parentType) => {
  it('pairs the parked rows foreign_key_check takes as children, for every child type and value', () => {
    const { db, parent, children } = openFleet(parentType);
    try {
      for (const value of AWKWARD_VALUES) {
        db.exec(`DELETE FROM parent; INSERT INTO parent VALUES ('p', ${value})`);
        if (db.prepare('SELECT code FROM parent').pluck().get() === null) continue; // NaN is stored as NULL: no children
        park(db, parent);
        for (const child of children) {
          const where = `${child.name} (${parentType} ← ${value})`;
          expect([where, matchedKeys(db, child, parent)]).toEqual([where, sqliteChildren(db, child)]);
        }
      }
    } finally {
      db.close();
    }
  });
});

describe('parkedParentMatch through the parked parent index', () => {
  it.each(PARENT_TYPES.flatMap((parentType) => CHILD_TYPES.map((childType) => [parentType, childType])))('parent "%s", child "%s"', (parentType, childType) => {
    const db = new Database(':memory:');
    try {
      db.exec(`CREATE TABLE parent (id TEXT PRIMARY KEY NOT NULL, code ${parentType} UNIQUE); CREATE TABLE child (id TEXT PRIMARY KEY NOT NULL, ref ${childType} REFERENCES parent (code))`);
      const [parent, child] = [trackedTable(db, 'parent', 0), trackedTable(db, 'child', 1)];
      for (const table of [parent, child]) db.exec(parkedTableSql(table));
      const [fk] = child.foreignKeys;
      if (fk === undefined) throw new Error('no foreign key');
      const sql = `SELECT o.id FROM _sync_parked_1 AS o WHERE EXISTS (SELECT 1 FROM _sync_parked_0 AS q WHERE ${parkedParentMatch(fk, parent, 'q', 'o')})`;
      const plan = (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all() as { detail: string }[]).map((step) => step.detail).join('; ');
      expect(plan).toMatch(/SEARCH q (EXISTS )?USING (COVERING )?INDEX _sync_parked_0_u0 \(code=\?\)/);
    } finally {
      db.close();
    }
  });
});
