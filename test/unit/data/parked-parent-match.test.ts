import Database from 'better-sqlite3';
import { parkedParentMatch } from '../../../lib/data/child-lookup';
import { parkedTableName, parkedTableSql } from '../../../lib/data/parked-table-sql';
import { inspectTable } from '../../../lib/data/table-schema';
import { trackTable, type TrackedTable } from '../../../lib/data/tracked-table';

/**
 * parkedParentMatch pairs a parked child with a parked parent (both held
 * untyped, as their tables stored them) exactly as SQLite's own foreign-key
 * check pairs them once both are back (PRAGMA foreign_key_check on the typed
 * tables is the oracle), for every mix of parent and child column types and a
 * table of awkward values; and it probes the parked parent's index.
 */
const PARENT_TYPES = ['TEXT', 'INTEGER', 'REAL', 'NUMERIC', '', 'TEXT COLLATE NOCASE', 'TEXT COLLATE RTRIM'];
const CHILD_TYPES = ['TEXT', 'INTEGER', 'REAL', 'NUMERIC', '', 'BLOB', 'TEXT COLLATE NOCASE'];

/** SQL literals, written to the parent and to every child column. */
const VALUES = [
  '2024', '2024.0', "'2024'", "' 2024'", "'2024 '", "'02024'", "'2024.0'", "'2.024e3'", "'+2024'", '2025', "'2024abc'",
  '1e20', "'1.0e+20'", "'1.0E+20'", "'1e20'", '0.1 + 0.2', "'0.30000000000000004'", '0.3', "'0.3'",
  '-0.0', '0', "'0.0'", "'-0.0'", "'0'", "''", "'0x10'", '16', "'16.0'", "'abc'",
  "'Rust'", "'rust'", "'rust  '", "x'00ff'", "x'32303234'", "'a' || char(0) || 'b'", "'a'",
  '1e999', "'Inf'", "'INF'", '-1e999', "'-Inf'", '9223372036854775807', "'9223372036854775807'", '9223372036854775808', "'9223372036854775808'",
  '9007199254740993', "'9007199254740993'",
];

function tracked(db: Database.Database, name: string, id: number): TrackedTable {
  const schema = inspectTable(db, name);
  return trackTable(id, schema, new Map(schema.columns.map((column, i) => [column.name, i])));
}

/** Copies a table's rows into its parked rows' table, byte for byte (as ParkedRows.fromTable does). */
function park(db: Database.Database, table: TrackedTable): void {
  const columns = table.columns.map((column) => `"${column.name}"`).join(', ');
  db.exec(`DELETE FROM ${parkedTableName(table.id)}; INSERT INTO ${parkedTableName(table.id)} (${columns}, _sync_id, _sync_reason, _sync_at) SELECT ${columns}, id, 'FOREIGN_KEY', '' FROM "${table.name}"`);
}

function openFleet(parentType: string): { db: Database.Database; parent: TrackedTable; children: TrackedTable[] } {
  const db = new Database(':memory:');
  db.defaultSafeIntegers(true);
  db.pragma('foreign_keys = OFF'); // the children are written before their parent
  db.exec(`CREATE TABLE parent (id TEXT PRIMARY KEY NOT NULL, code ${parentType} UNIQUE)`);
  CHILD_TYPES.forEach((type, i) => {
    db.exec(`CREATE TABLE child${i} (id TEXT PRIMARY KEY NOT NULL, ref ${type} REFERENCES parent (code))`);
    VALUES.forEach((value, v) => db.exec(`INSERT INTO child${i} VALUES ('v${v}', ${value})`));
  });
  const parent = tracked(db, 'parent', 0);
  const children = CHILD_TYPES.map((_, i) => tracked(db, `child${i}`, i + 1));
  for (const table of [parent, ...children]) db.exec(parkedTableSql(table));
  for (const child of children) park(db, child);
  return { db, parent, children };
}

/** The parked children the match pairs with the only parked parent row. */
function matchedKeys(db: Database.Database, child: TrackedTable, parent: TrackedTable): string[] {
  const [fk] = child.foreignKeys;
  if (fk === undefined) throw new Error('no foreign key');
  const sql = `SELECT o.id FROM ${parkedTableName(child.id)} AS o WHERE EXISTS (SELECT 1 FROM ${parkedTableName(parent.id)} AS q WHERE ${parkedParentMatch(fk, parent, 'q', 'o')})`;
  return (db.prepare(sql).pluck().all() as string[]).sort();
}

/** The rows SQLite's own check takes as children of the only parent row. */
function sqliteChildren(db: Database.Database, child: TrackedTable): string[] {
  const orphans = new Set((db.pragma(`foreign_key_check(${child.name})`) as { rowid: bigint }[]).map((entry) => entry.rowid));
  const rows = db.prepare(`SELECT rowid, id FROM ${child.name} WHERE ref IS NOT NULL`).raw(true).all() as [bigint, string][];
  return rows.filter(([rowid]) => !orphans.has(rowid)).map(([, id]) => id).sort();
}

describe.each(PARENT_TYPES)('parkedParentMatch under a parent column "%s"', (parentType) => {
  it('pairs the parked rows foreign_key_check takes as children, for every child type and value', () => {
    const { db, parent, children } = openFleet(parentType);
    try {
      for (const value of VALUES) {
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
      const [parent, child] = [tracked(db, 'parent', 0), tracked(db, 'child', 1)];
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
