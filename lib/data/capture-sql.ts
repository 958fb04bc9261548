import { columnAffinity } from './key-affinity';
import { quoteIdent } from './sql-names';
import type { TrackedColumn, TrackedTable } from './tracked-table';

/**
 * Log operation codes. 0 marks the sentinel row that keeps `seq` and the clock
 * after a fold. 4 marks a row that an `INSERT OR REPLACE` / `UPDATE OR
 * REPLACE` may have deleted through a UNIQUE index (SQLite fires no delete
 * trigger for it unless `recursive_triggers` is on): the fold counts it as
 * deleted only when the row is really gone.
 */
export const OP = { sentinel: 0, insert: 1, update: 2, delete: 3, replaced: 4 } as const;

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

const NOT_APPLYING = '(SELECT applying FROM _sync_state) = 0';

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
function hasNoAffinity(column: TrackedColumn): boolean {
  return column.type === '' || column.type.includes('BLOB') || column.type === 'ANY';
}

/**
 * True when a column can hold two values SQLite compares equal in two storage classes: one without
 * affinity (`1` and `1.0`), or one with INTEGER or NUMERIC affinity, which keeps the REAL -2^63 as a
 * REAL (only a REAL strictly between -2^63 and 2^63 becomes an INTEGER) while it equals the INTEGER
 * -2^63. An UPDATE from one to the other changes the cell's bytes and no comparison sees it.
 */
function keepsEqualsOfTwoClasses(column: TrackedColumn): boolean {
  const affinity = columnAffinity(column);
  return hasNoAffinity(column) || affinity === 'INTEGER' || affinity === 'NUMERIC';
}

function changedBit(column: TrackedColumn): string {
  const name = quoteIdent(column.name);
  let test = `(NEW.${name} IS NOT OLD.${name} COLLATE BINARY)`;
  if (keepsEqualsOfTwoClasses(column)) test = `(${test} OR typeof(NEW.${name}) IS NOT typeof(OLD.${name}))`;
  return column.id === 0 ? test : `(${test} << ${column.id})`;
}

function sameKeySql(table: TrackedTable): string {
  return table.key.map((column) => `NEW.${quoteIdent(column.name)} IS OLD.${quoteIdent(column.name)} COLLATE BINARY`).join(' AND ');
}

/** Names of a table's capture triggers, built from its id only. */
export function triggerNames(tableId: number): readonly string[] {
  return [`_sync_${tableId}_insert`, `_sync_${tableId}_update`, `_sync_${tableId}_rekey`, `_sync_${tableId}_delete`, `_sync_${tableId}_replace_insert`, `_sync_${tableId}_replace_update`, `_sync_${tableId}_replace_key`];
}

/** The name of a table's zero trigger of one column (see {@link zeroTriggersSql}). */
function zeroTriggerName(tableId: number, columnId: number): string {
  return `_sync_${tableId}_zero_${columnId}`;
}

/** Column ids a table's zero triggers may carry: every id a change mask holds. */
const ZERO_TRIGGER_IDS = Array.from({ length: 64 }, (_, id) => id);

/** `DROP TRIGGER` statements for a table id (its zero triggers included, whatever its columns). */
export function dropTriggersSql(tableId: number): string {
  return [...triggerNames(tableId), ...ZERO_TRIGGER_IDS.map((id) => zeroTriggerName(tableId, id))]
    .map((name) => `DROP TRIGGER IF EXISTS ${quoteIdent(name)};`)
    .join('\n');
}

function logRow(table: TrackedTable, op: number, alias: string, cols: string): string {
  return `INSERT INTO _sync_log (tbl, op, pk, cols, hlc) VALUES (${table.id}, ${op}, ${keySql(table, alias)}, ${cols}, ${HLC_SQL});`;
}

/**
 * The AFTER INSERT / UPDATE / DELETE triggers of one table, in plain SQL: each
 * appends to `_sync_log`. An UPDATE records a mask of the columns that really
 * changed; a key change is a delete plus an insert. They do not test the
 * `applying` flag (a tenth of a capture's cost): a merge's own writes, made
 * inside its write transaction, are logged and then dropped by the merge
 * before it commits (see `VisibleState.applying`), so no other connection ever
 * sees them. Tables with UNIQUE indexes also get the REPLACE triggers
 * ({@link createReplaceTriggersSql}).
 */
export function createTriggersSql(table: TrackedTable): string {
  const on = quoteIdent(table.name);
  const [insert, update, rekey, remove] = triggerNames(table.id).map(quoteIdent);
  const mask = table.values.length === 0 ? '0' : table.values.map(changedBit).join(' | ');
  const sameKey = sameKeySql(table);
  return `
CREATE TRIGGER ${insert} AFTER INSERT ON ${on}
BEGIN ${logRow(table, OP.insert, 'NEW', '-1')} END;
CREATE TRIGGER ${update} AFTER UPDATE ON ${on} WHEN ${sameKey}
BEGIN
  INSERT INTO _sync_log (tbl, op, pk, cols, hlc)
  SELECT ${table.id}, ${OP.update}, ${keySql(table, 'NEW')}, m, ${HLC_SQL} FROM (SELECT ${mask} AS m) WHERE m <> 0;
END;
CREATE TRIGGER ${rekey} AFTER UPDATE ON ${on} WHEN NOT (${sameKey})
BEGIN ${logRow(table, OP.delete, 'OLD', '0')} ${logRow(table, OP.insert, 'NEW', '-1')} END;
CREATE TRIGGER ${remove} AFTER DELETE ON ${on}
BEGIN ${logRow(table, OP.delete, 'OLD', '0')} END;
${zeroTriggersSql(table)}
${replaceKeyTriggerSql(table)}
${createReplaceTriggersSql(table)}`;
}

/**
 * One AFTER UPDATE OF trigger per column without affinity (where a REAL keeps the sign of zero): SQL cannot tell
 * `-0.0` from `0.0` (they compare equal, and every text form drops the sign), so an UPDATE setting such a column
 * from one REAL zero to the other changed no bit of the update trigger's mask, and the peers kept the old sign. A
 * statement that sets the column while its old and new values are both REAL zeros logs the cell as changed (the
 * fold reads its value, sign included); one that does not set it logs nothing, so no other writer's value is
 * overwritten by an unchanged cell. Empty for a table without such columns.
 */
function zeroTriggersSql(table: TrackedTable): string {
  const on = quoteIdent(table.name);
  const sameKey = sameKeySql(table);
  return table.values
    .filter(hasNoAffinity)
    .map((column) => {
      const name = quoteIdent(column.name);
      const zeros = `typeof(NEW.${name}) = 'real' AND NEW.${name} = 0 AND typeof(OLD.${name}) = 'real' AND OLD.${name} = 0`;
      return `CREATE TRIGGER ${quoteIdent(zeroTriggerName(table.id, column.id))} AFTER UPDATE OF ${name} ON ${on} WHEN ${sameKey} AND ${zeros}
BEGIN ${logRow(table, OP.update, 'NEW', column.id === 0 ? '1' : `(1 << ${column.id})`)} END;`;
    })
    .join('\n');
}

/**
 * BEFORE UPDATE OF the key: an `UPDATE OR REPLACE` moving a row onto a live row's key deletes that row with no
 * delete trigger. The moved row's insert usually stands for it (the same life written whole), but when the
 * statement's own foreign-key action deletes the moved row too (a child moved onto its parent's key, ON DELETE
 * CASCADE), no AFTER trigger fires: the row the key held is logged first (op 4), and the fold confirms it gone.
 */
function replaceKeyTriggerSql(table: TrackedTable): string {
  const name = quoteIdent(triggerNames(table.id)[6] ?? '');
  const held = table.key.map((column) => `v.${quoteIdent(column.name)} = NEW.${quoteIdent(column.name)}`).join(' AND ');
  return `CREATE TRIGGER ${name} BEFORE UPDATE OF ${table.key.map((column) => quoteIdent(column.name)).join(', ')} ON ${quoteIdent(table.name)}
WHEN NOT (${sameKeySql(table)}) AND EXISTS (SELECT 1 FROM ${quoteIdent(table.name)} AS v WHERE ${held})
BEGIN ${logRow(table, OP.replaced, 'NEW', '0')} END;`;
}

/** For each UNIQUE index: the SQL condition "row `v` holds NEW's values and is not the row itself (`self`)". */
function holdsNewValues(table: TrackedTable, self: string): string[] {
  const notSelf = table.key.map((column) => `v.${quoteIdent(column.name)} IS ${self}.${quoteIdent(column.name)}`).join(' AND ');
  return table.uniques.map((unique) => {
    const match = unique.columns.map((column, i) => `v.${quoteIdent(column.name)} = NEW.${quoteIdent(column.name)} COLLATE ${unique.collations[i] ?? 'BINARY'}`).join(' AND ');
    return `${match} AND NOT (${notSelf})`;
  });
}

/** The trigger's WHEN: some row holds NEW's values in a UNIQUE index (one index probe each; usually false). */
function replaceWhen(table: TrackedTable, self: string): string {
  return holdsNewValues(table, self)
    .map((condition) => `EXISTS (SELECT 1 FROM ${quoteIdent(table.name)} AS v WHERE ${condition})`)
    .join(' OR ');
}

/** Logs the rows holding NEW's values (unless a merge is applying): the rows a REPLACE would delete. */
function replacedRowsSql(table: TrackedTable, self: string): string {
  return holdsNewValues(table, self)
    .map((condition) => `INSERT INTO _sync_log (tbl, op, pk, cols, hlc) SELECT ${table.id}, ${OP.replaced}, ${keySql(table, 'v')}, 0, ${HLC_SQL} FROM ${quoteIdent(table.name)} AS v WHERE ${condition} AND ${NOT_APPLYING};`)
    .join('\n  ');
}

/**
 * BEFORE INSERT / UPDATE triggers of a table with UNIQUE indexes: a REPLACE
 * deletes the rows holding the new values without firing delete triggers
 * (unless `recursive_triggers` is on), so the rows it may delete are logged
 * first, and the fold confirms they are gone. The WHEN clause only probes the
 * UNIQUE indexes, so an ordinary insert pays one index probe per index and no
 * statement. Empty for a table without UNIQUE indexes.
 */
export function createReplaceTriggersSql(table: TrackedTable): string {
  if (table.uniques.length === 0) return '';
  const on = quoteIdent(table.name);
  const [, , , , insert, update] = triggerNames(table.id).map(quoteIdent);
  const columns = [...new Set(table.uniques.flatMap((unique) => unique.columns.map((column) => quoteIdent(column.name))))].join(', ');
  return `
CREATE TRIGGER ${insert} BEFORE INSERT ON ${on} WHEN ${replaceWhen(table, 'NEW')}
BEGIN
  ${replacedRowsSql(table, 'NEW')}
END;
CREATE TRIGGER ${update} BEFORE UPDATE OF ${columns} ON ${on} WHEN ${replaceWhen(table, 'OLD')}
BEGIN
  ${replacedRowsSql(table, 'OLD')}
END;
`;
}
