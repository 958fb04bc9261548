/**
 * The property tests' schema, as real apps have it: every storage class in a
 * plain table; a parent with a UNIQUE column and a CHECK; a child with a
 * foreign key (ON DELETE CASCADE, ON UPDATE CASCADE), two UNIQUE columns and a
 * CHECK over them (a row parked for one rule may hold what another claims); a composite-key WITHOUT ROWID table with a composite UNIQUE.
 */
export const SCENARIO_SCHEMA = `
CREATE TABLE items (id TEXT PRIMARY KEY NOT NULL, a INTEGER, b TEXT, c REAL, d, e BLOB);
CREATE TABLE parents (id TEXT PRIMARY KEY NOT NULL, number INTEGER UNIQUE, name TEXT, CHECK (name IS NULL OR length(name) < 10));
CREATE TABLE children (
  id TEXT PRIMARY KEY NOT NULL,
  parent_id TEXT REFERENCES parents (id) ON DELETE CASCADE ON UPDATE CASCADE,
  x INTEGER UNIQUE, y INTEGER UNIQUE,
  CHECK (x IS NULL OR y IS NULL OR x <> y)
);
CREATE TABLE pairs (k1 TEXT NOT NULL, k2 INTEGER NOT NULL, v TEXT, w BLOB, PRIMARY KEY (k1, k2), UNIQUE (v, w)) WITHOUT ROWID;
`;

/** One table of the scenario: its key columns (in order) and its other columns. */
export interface ScenarioTable {
  readonly name: string;
  readonly key: readonly string[];
  readonly columns: readonly string[];
}

/** The tracked tables, parents before children. */
export const SCENARIO_TABLES: readonly ScenarioTable[] = [
  { name: 'items', key: ['id'], columns: ['a', 'b', 'c', 'd', 'e'] },
  { name: 'parents', key: ['id'], columns: ['number', 'name'] },
  { name: 'children', key: ['id'], columns: ['parent_id', 'x', 'y'] },
  { name: 'pairs', key: ['k1', 'k2'], columns: ['v', 'w'] },
];

/** Names of the tracked tables. */
export const SCENARIO_TABLE_NAMES: readonly string[] = SCENARIO_TABLES.map((table) => table.name);
