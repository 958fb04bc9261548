import Database from 'better-sqlite3';
import { inspectTable } from '../../lib/data/table-schema';
import { trackTable, type TrackedTable } from '../../lib/data/tracked-table';

/**
 * A grid for checking a foreign-key pairing against SQLite's own check
 * (PRAGMA foreign_key_check is the oracle): a parent column of each type,
 * child columns of each type, and awkward values written to every child.
 */

/** Declared types of the parent's referenced column. */
export const PARENT_TYPES = ['TEXT', 'INTEGER', 'REAL', 'NUMERIC', '', 'TEXT COLLATE NOCASE', 'TEXT COLLATE RTRIM'];

/** Declared types of the children's foreign-key columns (one child table each). */
export const CHILD_TYPES = ['TEXT', 'INTEGER', 'REAL', 'NUMERIC', '', 'BLOB', 'TEXT COLLATE NOCASE'];

/** SQL literals, written to the parent and to every child column. */
export const AWKWARD_VALUES = [
  '2024', '2024.0', "'2024'", "' 2024'", "'2024 '", "'02024'", "'2024.0'", "'2.024e3'", "'+2024'", '2025', "'2024abc'",
  '1e20', "'1.0e+20'", "'1.0E+20'", "'1e20'", '0.1 + 0.2', "'0.30000000000000004'", '0.3', "'0.3'",
  '-0.0', '0', "'0.0'", "'-0.0'", "'0'", "''", "'0x10'", '16', "'16.0'", "'abc'",
  "'Rust'", "'rust'", "'rust  '", "x'00ff'", "x'32303234'", "'a' || char(0) || 'b'", "'a'",
  '1e999', "'Inf'", "'INF'", '-1e999', "'-Inf'", '9223372036854775807', "'9223372036854775807'", '9223372036854775808', "'9223372036854775808'",
  '9007199254740993', "'9007199254740993'",
];

/** The tracked form of a table, its columns numbered in order. */
export function trackedTable(db: Database.Database, name: string, id: number): TrackedTable {
  const schema = inspectTable(db, name);
  return trackTable(id, schema, new Map(schema.columns.map((column, i) => [column.name, i])));
}

/** An in-memory database: `parent (id, code <parentType> UNIQUE)` and `child<i> (id, ref <CHILD_TYPES[i]> REFERENCES parent (code))`, each child holding every awkward value. */
export function openAffinityGrid(parentType: string, indexChildren: boolean): { db: Database.Database; parent: TrackedTable; children: TrackedTable[] } {
  const db = new Database(':memory:');
  db.defaultSafeIntegers(true);
  db.pragma('foreign_keys = OFF'); // the children are written before their parent
  db.exec(`CREATE TABLE parent (id TEXT PRIMARY KEY NOT NULL, code ${parentType} UNIQUE)`);
  CHILD_TYPES.forEach((type, i) => {
    db.exec(`CREATE TABLE child${i} (id TEXT PRIMARY KEY NOT NULL, ref ${type} REFERENCES parent (code))`);
    if (indexChildren) db.exec(`CREATE INDEX child${i}_ref ON child${i} (ref)`);
    AWKWARD_VALUES.forEach((value, v) => db.exec(`INSERT INTO child${i} VALUES ('v${v}', ${value})`));
  });
  return { db, parent: trackedTable(db, 'parent', 0), children: CHILD_TYPES.map((_, i) => trackedTable(db, `child${i}`, i + 1)) };
}

/** The ids of the rows of `child` SQLite's own check takes as children of the parent rows. */
export function sqliteChildren(db: Database.Database, child: TrackedTable): string[] {
  const orphans = new Set((db.pragma(`foreign_key_check(${child.name})`) as { rowid: bigint }[]).map((entry) => entry.rowid));
  const rows = db.prepare(`SELECT rowid, id FROM ${child.name} WHERE ref IS NOT NULL`).raw(true).all() as [bigint, string][];
  return rows.filter(([rowid]) => !orphans.has(rowid)).map(([, id]) => id).sort();
}
