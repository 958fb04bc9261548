import Database from 'better-sqlite3';
import { childLookup } from '../../../lib/data/child-lookup';
import { inspectTable } from '../../../lib/data/table-schema';
import { trackTable, type TrackedTable } from '../../../lib/data/tracked-table';
import type { SqlValue } from '../../../lib/data/values';

/**
 * childLookup finds exactly the rows SQLite's own foreign-key check pairs with
 * a parent value (PRAGMA foreign_key_check is the oracle), for every mix of
 * parent and child column types and a table of awkward values; and it goes
 * through the child column's index wherever every matching spelling can be named.
 */
const PARENT_TYPES = ['TEXT', 'INTEGER', 'REAL', 'NUMERIC', '', 'TEXT COLLATE NOCASE', 'TEXT COLLATE RTRIM'];
const CHILD_TYPES = ['TEXT', 'INTEGER', 'REAL', 'NUMERIC', '', 'BLOB', 'TEXT COLLATE NOCASE'];

/** SQL literals, written to the parent and to every child column. */
const VALUES = [
  '2024', '2024.0', "'2024'", "' 2024'", "'2024 '", "'02024'", "'2024.0'", "'2.024e3'", "'+2024'", '2025',
  '1e20', "'1.0e+20'", "'1.0E+20'", "'1e20'", '0.1 + 0.2', "'0.30000000000000004'", '0.3', "'0.3'",
  '-0.0', '0', "'0.0'", "'-0.0'", "'0'", "''", "'0x10'", '16', "'16.0'",
  "'Rust'", "'rust'", "'rust  '", "x'00ff'", "x'32303234'", "'a' || char(0) || 'b'", "'a'",
  '1e999', "'Inf'", "'INF'", '-1e999', "'-Inf'", '9223372036854775807', "'9223372036854775807'", '9223372036854775808', "'9223372036854775808'",
];

function tracked(db: Database.Database, name: string, id: number): TrackedTable {
  const schema = inspectTable(db, name);
  return trackTable(id, schema, new Map(schema.columns.map((column, i) => [column.name, i])));
}

function openFleet(parentType: string): { db: Database.Database; parent: TrackedTable; children: TrackedTable[] } {
  const db = new Database(':memory:');
  db.defaultSafeIntegers(true);
  db.pragma('foreign_keys = OFF'); // the children are written before their parent
  db.exec(`CREATE TABLE parent (id TEXT PRIMARY KEY NOT NULL, code ${parentType} UNIQUE)`);
  CHILD_TYPES.forEach((type, i) => {
    db.exec(`CREATE TABLE child${i} (id TEXT PRIMARY KEY NOT NULL, ref ${type} REFERENCES parent (code)); CREATE INDEX child${i}_ref ON child${i} (ref)`);
    VALUES.forEach((value, v) => db.exec(`INSERT INTO child${i} VALUES ('v${v}', ${value})`));
  });
  return { db, parent: tracked(db, 'parent', 0), children: CHILD_TYPES.map((_, i) => tracked(db, `child${i}`, i + 1)) };
}

function lookupKeys(db: Database.Database, child: TrackedTable, parent: TrackedTable, value: SqlValue): string[] {
  const [fk] = child.foreignKeys;
  if (fk === undefined) throw new Error('no foreign key');
  const lookup = childLookup(child, fk, parent, [value]);
  return (db.prepare(lookup.sql).pluck().all(...lookup.params) as string[]).sort();
}

/** The rows SQLite's own check takes as children of the only parent row. */
function sqliteChildren(db: Database.Database, child: TrackedTable): string[] {
  const orphans = new Set((db.pragma(`foreign_key_check(${child.name})`) as { rowid: bigint }[]).map((entry) => entry.rowid));
  const rows = db.prepare(`SELECT rowid, id FROM ${child.name} WHERE ref IS NOT NULL`).raw(true).all() as [bigint, string][];
  return rows.filter(([rowid]) => !orphans.has(rowid)).map(([, id]) => id).sort();
}

describe.each(PARENT_TYPES)('childLookup under a parent column "%s"', (parentType) => {
  it('finds the rows foreign_key_check takes as children, for every child type and value', () => {
    const { db, parent, children } = openFleet(parentType);
    try {
      for (const value of VALUES) {
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
      const [parent, child] = [tracked(db, 'parent', 0), tracked(db, 'child', 1)];
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
