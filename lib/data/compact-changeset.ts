import { checkSchema, quickValue, refuseClock, siteAt, type CheckedChangeset, type DecodeContext, type DecodeRun } from './changeset';
import { DecodedChange, NO_CLOCKS, type CellClock } from './decoded-change';
import { compactChangesetCheck, type CompactChangesetShape } from './compact-schema';
import { SyncError } from '../sync-error';
import type { TableStatements } from './table-statements';
import { checkKeyValue } from './key-affinity';
import type { TrackedColumn } from './tracked-table';
import { decodeValue, type SqlValue } from './values';
import { MAX_CL } from './wire-schema';
import { isClockedCell, isCounter, isWireValue as isValue } from './value-shape';

/** A table of a compact page, resolved against the tracked schema. */
interface ResolvedTable {
  readonly statements: TableStatements;
  /** The page's columns, in its order. */
  readonly columns: readonly TrackedColumn[];
  readonly rows: readonly unknown[][];
  /** How the page's table is named in messages: `tables[n] (name)`. */
  readonly where: string;
}

function invalid(where: string, detail: string): never {
  throw new SyncError('INVALID_CHANGESET', 400, `${where}: ${detail}`);
}

function resolveTable(entry: CompactChangesetShape['tables'][number], index: number, context: DecodeContext): ResolvedTable {
  const where = `tables[${index}] (${JSON.stringify(entry.table)})`;
  const statements = context.tables.get(entry.table);
  if (statements === undefined) throw new SyncError('UNKNOWN_TABLE', 400, `${where}: not a tracked table`);
  const seen = new Set<string>();
  const columns = entry.columns.map((name) => {
    if (seen.has(name)) invalid(where, `column ${JSON.stringify(name)} is named twice`);
    seen.add(name);
    const column = statements.table.valuesByName.get(name);
    if (column !== undefined) return column;
    if (statements.table.key.some((key) => key.name === name)) invalid(where, `${JSON.stringify(name)} is a key column; keys go first in each row`);
    throw new SyncError('UNKNOWN_COLUMN', 400, `${where}: table ${entry.table} has no tracked column ${JSON.stringify(name)}`);
  });
  return { statements, columns, rows: entry.rows, where };
}

/** How messages name a row: `tables[n] ("name") row #i` (built only for a message). */
function rowWhere(table: ResolvedTable, index: number): string {
  return `${table.where} row #${index}`;
}

function decodeKey(raw: unknown, table: ResolvedTable, index: number): SqlValue[] {
  const size = table.statements.table.key.length;
  const values = size === 1 && !Array.isArray(raw) ? [raw] : raw;
  if (!Array.isArray(values) || values.length !== size) {
    invalid(rowWhere(table, index), `the key of ${table.statements.table.name} has ${size} column(s): ${size === 1 ? 'a value' : `an array of ${size} values`}`);
  }
  return values.map((value: unknown, position) => {
    if (!isValue(value)) invalid(rowWhere(table, index), `key[${position}] is not a value`);
    const decoded = quickValue(value) ?? decodeValue(value, `${rowWhere(table, index)} key[${position}]`);
    if (decoded === null) throw new SyncError('INVALID_VALUE', 400, `${rowWhere(table, index)}: a key value is null`);
    checkKeyValue(table.statements.table.key[position] as TrackedColumn, decoded, () => rowWhere(table, index), table.statements.encoding);
    return decoded;
  });
}

/** A row being decoded: its table, index and clock, and the cells decoded so far. */
interface RowDecoding {
  readonly table: ResolvedTable;
  readonly index: number;
  readonly hlc: number;
  readonly site: string;
  readonly values: (SqlValue | undefined)[];
  sent: number;
  clocks: CellClock[] | undefined;
}

/** Decodes one cell into the row's values: a value, `[value, hlc, site]` (a clock of its own), or `[]` (not sent). */
function decodeCell(raw: unknown, column: TrackedColumn, row: RowDecoding, run: DecodeRun): void {
  if (!Array.isArray(raw)) {
    if (!isValue(raw)) invalid(rowWhere(row.table, row.index), `${column.name} is not a value`);
    row.values[column.index] = quickValue(raw) ?? decodeValue(raw, `${rowWhere(row.table, row.index)} ${column.name}`);
    row.sent += 1;
    return;
  }
  if (raw.length === 0) return; // not sent
  const where = (): string => rowWhere(row.table, row.index);
  if (!isClockedCell(raw)) invalid(where(), `${column.name} is neither a value, [value, hlc, site] nor []`);
  const [value, hlc, siteIndex] = raw;
  if (hlc > run.limit) refuseClock(hlc, `${where()} ${column.name}`, run.context);
  const site = run.sites[siteIndex] ?? siteAt(run.sites, siteIndex, `${where()} ${column.name}`);
  if (hlc < row.hlc || (hlc === row.hlc && site < row.site)) invalid(where(), `${column.name}: a cell's clock is older than its row's (birth) clock`);
  row.values[column.index] = quickValue(value) ?? decodeValue(value, `${where()} ${column.name}`);
  row.sent += 1;
  if (hlc !== row.hlc || site !== row.site) (row.clocks ??= []).push({ column, hlc, site });
}

/**
 * Decodes one compact row `[key, cl, hlc, site, cell…]` of a resolved table.
 * @throws SyncError 400 `INVALID_CHANGESET`, `INVALID_VALUE`, `UNSAFE_INTEGER`; 422 `CLOCK_SKEW`
 */
function decodeRow(raw: readonly unknown[], table: ResolvedTable, run: DecodeRun, index: number): DecodedChange {
  const [key, cl, hlc, siteIndex] = raw;
  if (!isCounter(cl, 1) || !isCounter(hlc, 0) || !isCounter(siteIndex, 0)) invalid(rowWhere(table, index), 'cl (≥ 1), hlc and site must be non-negative integers');
  if (cl > MAX_CL) invalid(rowWhere(table, index), `cl ${cl} is above ${MAX_CL} (2^50), the highest causal length a change may carry`);
  if (raw.length > 4 + table.columns.length) invalid(rowWhere(table, index), `${raw.length - 4} cells for ${table.columns.length} columns`);
  if (hlc > run.limit) refuseClock(hlc, rowWhere(table, index), run.context);
  const site = run.sites[siteIndex] ?? siteAt(run.sites, siteIndex, rowWhere(table, index));
  const keyValues = decodeKey(key, table, index);
  const { statements } = table;
  const values = new Array<SqlValue | undefined>(statements.table.columns.length);
  statements.table.key.forEach((column, position) => (values[column.index] = keyValues[position]));
  const row: RowDecoding = { table, index, hlc, site, values, sent: 0, clocks: undefined };
  for (let at = 4; at < raw.length; at += 1) decodeCell(raw[at], table.columns[at - 4] as TrackedColumn, row, run);
  if (cl % 2 === 0 && row.sent > 0) invalid(rowWhere(table, index), 'a deleted row (even cl) carries no cells');
  return new DecodedChange(statements, keyValues, cl, hlc, site, values, row.sent, row.clocks ?? NO_CLOCKS);
}

function* decodeTables(tables: readonly ResolvedTable[], run: DecodeRun): Iterable<DecodedChange> {
  for (const table of tables) {
    for (let index = 0; index < table.rows.length; index += 1) yield decodeRow(table.rows[index] as unknown[], table, run, index);
  }
}

/**
 * Checks a compact changeset (protocol 2): its shape against the compiled
 * JSON Schema, its tracked schema, and its tables and columns against the
 * tracked tables; its rows are decoded and checked one by one as they are merged.
 * @param limit - the highest clock accepted
 * @throws SyncError 400 `INVALID_CHANGESET`, `UNKNOWN_TABLE`, `UNKNOWN_COLUMN`; 409 `SCHEMA_MISMATCH`
 */
export function checkCompactChangeset(raw: unknown, context: DecodeContext, limit: number): CheckedChangeset {
  if (!compactChangesetCheck.Check(raw)) {
    const first = compactChangesetCheck.Errors(raw).First();
    const where = first === undefined ? '' : `${first.path || '/'}: ${first.message}`;
    throw new SyncError('INVALID_CHANGESET', 400, `the compact changeset does not match the protocol schema (${where})`);
  }
  checkSchema(context.schema, raw.schema);
  const tables = raw.tables.map((entry, index) => resolveTable(entry, index, context));
  const run: DecodeRun = { sites: raw.sites, context, limit };
  const count = tables.reduce((total, table) => total + table.rows.length, 0);
  return { ...run, envelope: raw, count, changes: () => decodeTables(tables, run) };
}
