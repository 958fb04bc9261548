import { columnAffinity } from './key-affinity';
import { quoteIdent } from './sql-names';
import type { TrackedColumn, TrackedTable } from './tracked-table';

/**
 * Log operation codes. 0 marks the sentinel row that keeps `seq` and the clock
 * after a fold. 4 marks a row that an `INSERT OR REPLACE` / `UPDATE OR
 * REPLACE` may have deleted through a UNIQUE index (SQLite fires no delete
 * trigger for it unless `recursive_triggers` is on): the fold counts it as
 * deleted only when the row is really gone. 5 marks a live row whose key a
 * statement is about to write again in another storage class (`1.0` over `1`, see
 * `reform-trigger-sql.ts`); `cols` holds the old key's form: the fold makes the
 * insert that replaces it (if one follows) the row's next life.
 */
export const OP = { sentinel: 0, insert: 1, update: 2, delete: 3, replaced: 4, reformed: 5 } as const;

/**
 * The metadata tables, all prefixed `_sync_`. Every statement is idempotent.
 * `_sync_log` is the append-only capture log the triggers write; it is folded
 * into `_sync_rows` (one row per tracked row: causal length, clock and seq of
 * its last birth or death; that seq is unique, so it is the rowid and pages
 * read it in order) and `_sync_cells` (clock and seq of cells changed since).
 */
export const META_DDL = `
CREATE TABLE IF NOT EXISTS _sync_state (id INTEGER PRIMARY KEY CHECK (id = 1), applying INTEGER NOT NULL, folded INTEGER NOT NULL);
INSERT OR IGNORE INTO _sync_state (id, applying, folded) VALUES (1, 0, 0);
CREATE TABLE IF NOT EXISTS _sync_sites (id INTEGER PRIMARY KEY, site TEXT NOT NULL UNIQUE);
INSERT OR IGNORE INTO _sync_sites (id, site) VALUES (0, lower(hex(randomblob(16))));
CREATE TABLE IF NOT EXISTS _sync_tables (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE);
CREATE TABLE IF NOT EXISTS _sync_columns (tbl INTEGER NOT NULL, id INTEGER NOT NULL, name TEXT NOT NULL, PRIMARY KEY (tbl, id), UNIQUE (tbl, name)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS _sync_log (seq INTEGER PRIMARY KEY, tbl INTEGER NOT NULL, op INTEGER NOT NULL, pk NOT NULL, cols INTEGER NOT NULL, hlc INTEGER NOT NULL);
INSERT INTO _sync_log (seq, tbl, op, pk, cols, hlc) SELECT 0, 0, 0, '', 0, 0 WHERE NOT EXISTS (SELECT 1 FROM _sync_log);
CREATE TABLE IF NOT EXISTS _sync_rows (born INTEGER PRIMARY KEY, tbl INTEGER NOT NULL, pk NOT NULL, cl INTEGER NOT NULL, hlc INTEGER NOT NULL, site INTEGER NOT NULL, UNIQUE (tbl, pk));
CREATE TABLE IF NOT EXISTS _sync_cells (tbl INTEGER NOT NULL, pk NOT NULL, col INTEGER NOT NULL, hlc INTEGER NOT NULL, site INTEGER NOT NULL, seq INTEGER NOT NULL, PRIMARY KEY (tbl, pk, col)) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS _sync_cells_seq ON _sync_cells (seq);
CREATE TABLE IF NOT EXISTS _sync_peers (site TEXT PRIMARY KEY, seq INTEGER NOT NULL, mark TEXT) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS _sync_pushed (site TEXT PRIMARY KEY, seq INTEGER NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS _sync_peer_views (site TEXT PRIMARY KEY, seq INTEGER NOT NULL, mark TEXT) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS _sync_marks (seq INTEGER PRIMARY KEY, mark TEXT NOT NULL);
`;

/** Columns added to metadata tables since they were first created: `[table, column, declaration]`. */
export const META_COLUMNS: readonly (readonly [string, string, string])[] = [
  ['_sync_peers', 'mark', 'TEXT'],
  ['_sync_state', 'file_id', 'TEXT'],
];

/**
 * The hybrid logical clock of the next local write, in plain SQL:
 * `max(last + 1, wall_ms * 1024)`, where `last` is the clock of the log's
 * last row (a merge raises it past every remote clock it applies).
 * `'now'` is fixed within one statement; the `+ 1` keeps order inside it.
 */
export const HLC_SQL = `max(coalesce((SELECT hlc FROM _sync_log ORDER BY seq DESC LIMIT 1), 0) + 1, CAST(round((julianday('now') - 2440587.5) * 86400000) AS INTEGER) * 1024)`;

/** True while no merge is applying: a trigger that must not log a merge's own writes tests it. */
export const NOT_APPLYING = '(SELECT applying FROM _sync_state) = 0';

/** The metadata key of a row: the key value itself, or `quote(a) || ',' || quote(b)` for a composite key. */
export function keySql(table: TrackedTable, alias: string): string {
  if (table.key.length === 1) return `${alias}.${quoteIdent(table.key[0]?.name ?? '')}`;
  return table.key.map((column) => keyPartSql(column, `${alias}.${quoteIdent(column.name)}`)).join(` || ',' || `);
}

/**
 * One column's part of a composite metadata key: `quote(value)`. In a column
 * with no affinity, a REAL with an integral value is quoted as the INTEGER of
 * that value: SQLite's key index holds `1` and `1.0` as one row, so the
 * metadata must too (else two servers writing `(1, 'x')` and `(1.0, 'x')`
 * keep two clocks for one row and end with different values). `-0.0` is `0`;
 * a REAL beyond the 64-bit range is never equal to its clamped cast, so it
 * stays a REAL. So does a column with INTEGER or NUMERIC affinity: it stores the REAL -2^63 as a
 * REAL, equal to the INTEGER -2^63. Other typed columns already store one class, so they skip that step.
 * TEXT holding a NUL character is written `J` + its JSON string (quote() would
 * cut it at the NUL, making two keys one; json_quote() escapes it as `\u0000`
 * and, being text, reads the same in a UTF-8 or a UTF-16 database);
 * `parseQuotedKey` reads it back.
 * @param value - an SQL expression read more than once (a column or a named value)
 */
export function keyPartSql(column: TrackedColumn, value: string): string {
  const quoted = keepsEqualsOfTwoClasses(column)
    ? `quote(CASE WHEN typeof(${value}) = 'real' AND ${value} = CAST(${value} AS INTEGER) THEN CAST(${value} AS INTEGER) ELSE ${value} END)`
    : `quote(${value})`;
  return quotedKeyPartSql(value, quoted);
}

/**
 * A key part as `quoted` spells it, but TEXT holding a NUL character as `J` and
 * its JSON string (quote() stops at the NUL: 'red' and 'red<NUL>x' would be one
 * key). The test is on the text itself, not its bytes: in a UTF-16 database
 * every ASCII character's bytes hold a zero.
 * @param value - an SQL expression read more than once
 */
export function quotedKeyPartSql(value: string, quoted = `quote(${value})`): string {
  return `CASE WHEN typeof(${value}) = 'text' AND instr(${value}, char(0)) > 0 THEN 'J' || json_quote(${value}) ELSE ${quoted} END`;
}

/** True when a column has no type affinity, so `1` and `1.0` are different values. */
export function hasNoAffinity(column: TrackedColumn): boolean {
  return column.type === '' || column.type.includes('BLOB') || column.type === 'ANY';
}

/**
 * True when a column can hold two values SQLite compares equal in two storage classes: one without
 * affinity (`1` and `1.0`), or one with INTEGER or NUMERIC affinity, which keeps the REAL -2^63 as a
 * REAL (only a REAL strictly between -2^63 and 2^63 becomes an INTEGER) while it equals the INTEGER
 * -2^63. An UPDATE from one to the other changes the cell's bytes and no comparison sees it.
 */
export function keepsEqualsOfTwoClasses(column: TrackedColumn): boolean {
  const affinity = columnAffinity(column);
  return hasNoAffinity(column) || affinity === 'INTEGER' || affinity === 'NUMERIC';
}

/** NEW's key holds the same values as OLD's (SQLite's own equality: `1` is `1.0`). */
export function sameKeySql(table: TrackedTable): string {
  return table.key.map((column) => `NEW.${quoteIdent(column.name)} IS OLD.${quoteIdent(column.name)} COLLATE BINARY`).join(' AND ');
}

/**
 * The key is the same value in the same storage class. An UPDATE that changes only a key's class (`1` to `1.0`
 * in a column without affinity, the INTEGER to the REAL -2^63 in an INTEGER or NUMERIC one) names the same row
 * to SQLite, but the peers would keep the old form for good: it is captured as a key change (a delete and an
 * insert), so the new life carries the key in its new form to every server.
 */
export function sameKeyFormSql(table: TrackedTable): string {
  return table.key
    .map((column) => {
      const name = quoteIdent(column.name);
      const same = `NEW.${name} IS OLD.${name} COLLATE BINARY`;
      return keepsEqualsOfTwoClasses(column) ? `${same} AND typeof(NEW.${name}) IS typeof(OLD.${name})` : same;
    })
    .join(' AND ');
}

/** Names of a table's capture triggers, built from its id only. */
export function triggerNames(tableId: number): readonly string[] {
  return [
    `_sync_${tableId}_insert`,
    `_sync_${tableId}_update`,
    `_sync_${tableId}_rekey`,
    `_sync_${tableId}_delete`,
    `_sync_${tableId}_replace_insert`,
    `_sync_${tableId}_replace_update`,
    `_sync_${tableId}_replace_key`,
    `_sync_${tableId}_reform`,
  ];
}

/** The name of a table's zero trigger of one column (see `zeroTriggersSql` in capture-triggers.ts). */
export function zeroTriggerName(tableId: number, columnId: number): string {
  return `_sync_${tableId}_zero_${columnId}`;
}

/** One trigger statement appending a row to the capture log: `op` for the row `alias` (NEW, OLD or a table alias), its change mask `cols`. */
export function logRow(table: TrackedTable, op: number, alias: string, cols: string): string {
  return `INSERT INTO _sync_log (tbl, op, pk, cols, hlc) VALUES (${table.id}, ${op}, ${keySql(table, alias)}, ${cols}, ${HLC_SQL});`;
}

