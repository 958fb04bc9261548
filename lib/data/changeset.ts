import { changesetEnvelopeCheck, PROTOCOL_VERSION, type SchemaDescription, type WireChange, type WireChangeset } from './wire-schema';
import { isClockedCell, isWireValue } from './value-shape';
import { changeShape, invalidChange } from './change-shape';
import { PROTOCOLS } from './compact-schema';
import { differencesInWords, diffSchemas } from './schema-fingerprint';
import { SyncError } from '../sync-error';
import { nameInMessage } from './sql-names';
import type { TableStatements } from './table-statements';
import { checkKeyValue } from './key-affinity';
import type { TrackedColumn } from './tracked-table';
import { decodeValue, type SqlValue } from './values';
import { DecodedChange, NO_CLOCKS, type CellClock } from './decoded-change';
import { sentValueInWords } from './sent-value-words';

export { PROTOCOL_VERSION, ChangesetSchema, WireChangeSchema, WireValueSchema } from './wire-schema';
export type { WireChangeset, WireChange, WireCell } from './wire-schema';
export { DecodedChange } from './decoded-change';
export type { DecodedCell, CellClock } from './decoded-change';

/** What decoding needs from the receiving database. */
export interface DecodeContext {
  readonly schema: SchemaDescription;
  readonly tables: ReadonlyMap<string, TableStatements>;
  /** Wall time in ms (`Date.now()` outside tests). */
  readonly nowMs: number;
  /** Clocks this far ahead of `nowMs` are refused. */
  readonly maxClockSkewMs: number;
}

/** What every changeset carries besides its changes, whatever its protocol. */
export interface ChangesetEnvelope {
  readonly protocol: number;
  readonly site: string;
  readonly since?: number;
  readonly next?: number;
  readonly mark?: string;
  readonly sites: readonly string[];
}

/** What decoding a change needs: the changeset's sites, the receiving database, the highest clock accepted. */
export interface DecodeRun {
  readonly sites: readonly string[];
  readonly context: DecodeContext;
  /** The highest clock accepted. */
  readonly limit: number;
}

/**
 * A changeset whose envelope (shape, protocol, schema) is checked. Its changes
 * are decoded one at a time while they are merged ({@link changes}), so a
 * 100k-row changeset is never held twice; a bad change still refuses the
 * whole changeset, because the merge runs in one transaction.
 */
export interface CheckedChangeset extends DecodeRun {
  readonly envelope: ChangesetEnvelope;
  /** How many changes (rows) it carries. */
  readonly count: number;
  /** Its changes, decoded (and checked) one by one. */
  changes(): Iterable<DecodedChange>;
}

/**
 * The protocol a changeset says it follows.
 * @throws SyncError `INVALID_CHANGESET` (400) for a body that is not an object or has no protocol; `UNSUPPORTED_PROTOCOL` (400) for one this code does not speak
 */
export function readProtocol(raw: unknown): number {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new SyncError('INVALID_CHANGESET', 400, 'the changeset must be a JSON object');
  }
  const protocol = (raw as { protocol?: unknown }).protocol;
  if (protocol === undefined) throw new SyncError('INVALID_CHANGESET', 400, '/protocol: required property is missing');
  if (typeof protocol !== 'number' || !PROTOCOLS.includes(protocol)) {
    throw new SyncError('UNSUPPORTED_PROTOCOL', 400, `protocol ${sentValueInWords(protocol)} is not supported; this server speaks protocols ${PROTOCOLS.join(' and ')}`);
  }
  return protocol;
}

/**
 * Checks a changeset's envelope with the compiled JSON Schema; its changes are checked one by one as they are decoded ({@link decodeChange}).
 * @throws SyncError `INVALID_CHANGESET` (400) naming the first offending path; `UNSUPPORTED_PROTOCOL` (400)
 */
export function checkChangesetShape(raw: unknown): WireChangeset {
  if (readProtocol(raw) !== PROTOCOL_VERSION) throw new SyncError('UNSUPPORTED_PROTOCOL', 400, `protocol ${sentValueInWords((raw as { protocol: unknown }).protocol)} is not protocol ${PROTOCOL_VERSION}`);
  if (changesetEnvelopeCheck.Check(raw)) return raw as WireChangeset;
  const first = changesetEnvelopeCheck.Errors(raw).First();
  const where = first === undefined ? '' : `${first.path || '/'}: ${first.message}`;
  throw new SyncError('INVALID_CHANGESET', 400, `the changeset does not match the protocol schema (${where})`);
}

/**
 * Refuses a changeset built against another tracked schema.
 * @throws SyncError `SCHEMA_MISMATCH` (409) naming the tables and columns that differ (the first 20)
 */
export function checkSchema(ours: SchemaDescription, theirs: SchemaDescription): void {
  const differences = diffSchemas(ours, theirs);
  if (ours.fingerprint === theirs.fingerprint && differences.length === 0) return;
  const detail = differences.length > 0 ? differencesInWords(differences) : `fingerprint ${theirs.fingerprint} differs from ${ours.fingerprint}`;
  throw new SyncError('SCHEMA_MISMATCH', 409, `the sender's tracked schema differs from this server's: ${detail}. Migrate both servers to the same schema, then sync.`);
}

/**
 * Refuses a clock too far ahead of the receiver's wall time.
 * @throws SyncError `CLOCK_SKEW` (422)
 */
export function refuseClock(hlc: number, where: string, context: DecodeContext): never {
  const aheadMs = Math.floor(hlc / 1024) - context.nowMs;
  throw new SyncError(
    'CLOCK_SKEW',
    422,
    `${where} carries a clock ${Math.round(aheadMs / 1000)} s ahead of this server's (limit ${Math.round(context.maxClockSkewMs / 1000)} s): the sender's clock is ahead (or was when it wrote the change), or this server's is behind: fix a clock that is wrong now (NTP) and sync again`,
  );
}

/**
 * The site id at an index of the changeset's `sites`.
 * @throws SyncError `INVALID_CHANGESET` (400) for an index beyond it
 */
export function siteAt(sites: readonly string[], index: number, where: string): string {
  const site = sites[index];
  if (site === undefined) throw new SyncError('INVALID_CHANGESET', 400, `${where}: site index ${index} is not in "sites"`);
  return site;
}

/**
 * Decodes a plain value — null, well-formed text, a finite number — without
 * naming its place; undefined for anything else: a value that needs
 * {@link decodeValue} (a tagged value, an unsafe integer, text that is not
 * well formed), or no wire value at all.
 */
export function quickValue(value: unknown): SqlValue | undefined {
  if (value === null) return value;
  if (typeof value === 'string') return (value as string & { isWellFormed(): boolean }).isWellFormed() ? value : undefined;
  if (typeof value !== 'number' || !Number.isFinite(value)) return undefined;
  if (!Number.isInteger(value)) return value;
  return Number.isSafeInteger(value) ? BigInt(value) : undefined;
}

/**
 * Decodes a value; the place is named (built) only when the value needs more than {@link quickValue}: building it for every cell is costly.
 * @throws SyncError as `decodeValue`
 */
export function decodeAt(value: unknown, index: number, name: string): SqlValue {
  const quick = quickValue(value);
  if (quick !== undefined) return quick;
  if (!isWireValue(value)) invalidChange(index, `${name} is not a value (null, a string, a number, or a tagged {"$int"}, {"$real"}, {"$blob"} or {"$text"})`);
  return decodeValue(value, `change #${index}.${name}`);
}


function refuseCell(change: WireChange, table: TableStatements, name: string, index: number): never {
  if (table.table.key.some((keyColumn) => keyColumn.name === name)) {
    throw new SyncError('INVALID_CHANGESET', 400, `change #${index}.${name}: ${JSON.stringify(name)} is a key column; send it in "key"`);
  }
  throw new SyncError('UNKNOWN_COLUMN', 400, `change #${index}: table ${change.table} has no tracked column ${nameInMessage(name)}`);
}

/** What decoding a change's cells gives: how many were sent, and the clocks of those with their own. */
interface SentCells {
  readonly sent: number;
  readonly clocks: readonly CellClock[];
}

/** Decodes a change's cells into `values` (by column index); a cell's own clock is checked and kept when it differs from the row's. */
function decodeCells(change: WireChange, table: TableStatements, at: DecodeRun, index: number, siteOfChange: string, values: (SqlValue | undefined)[]): SentCells {
  const wireCells = change.cells;
  if (wireCells === undefined) return { sent: 0, clocks: NO_CLOCKS };
  let clocks: CellClock[] | undefined;
  let sent = 0;
  for (const name in wireCells) {
    sent += 1;
    const cell: unknown = wireCells[name];
    const column = table.table.valuesByName.get(name) ?? refuseCell(change, table, name, index);
    if (!Array.isArray(cell)) {
      values[column.index] = decodeAt(cell, index, name);
      continue;
    }
    if (!isClockedCell(cell)) invalidChange(index, `${name}: a cell is a value or [value, hlc, site]`);
    const [value, hlc, site] = cell;
    if (hlc > at.limit) refuseClock(hlc, `change #${index}.${name}`, at.context);
    const siteId = at.sites[site] ?? siteAt(at.sites, site, `change #${index}.${name}`);
    if (hlc < change.hlc || (hlc === change.hlc && siteId < siteOfChange)) {
      throw new SyncError('INVALID_CHANGESET', 400, `change #${index}.${name}: a cell's clock is older than its row's (birth) clock`);
    }
    values[column.index] = decodeAt(value, index, name);
    if (hlc !== change.hlc || siteId !== siteOfChange) (clocks ??= []).push({ column, hlc, site: siteId });
  }
  return { sent, clocks: clocks ?? NO_CLOCKS };
}

function decodeKey(change: WireChange, table: TableStatements, index: number): SqlValue[] {
  if (change.key.length !== table.table.key.length) {
    throw new SyncError('INVALID_CHANGESET', 400, `change #${index}: table ${table.table.name} has ${table.table.key.length} key column(s), the change has ${change.key.length}`);
  }
  const key: SqlValue[] = [];
  for (let position = 0; position < change.key.length; position += 1) {
    const raw = change.key[position] ?? null;
    // The place is named only for a value that needs more than quickValue (as in decodeAt).
    const value = quickValue(raw) ?? decodeAt(raw, index, `key[${position}]`);
    if (value === null) throw new SyncError('INVALID_VALUE', 400, `change #${index}: a key value is null`);
    checkKeyValue(table.table.key[position] as TrackedColumn, value, () => `change #${index}`, table.encoding);
    key.push(value);
  }
  return key;
}

/**
 * Decodes one change of a checked changeset against the tracked schema.
 * @throws SyncError 400 `UNKNOWN_TABLE`, `UNKNOWN_COLUMN`, `INVALID_CHANGESET`, `INVALID_VALUE`, `UNSAFE_INTEGER`; 422 `CLOCK_SKEW`
 */
export function decodeChange(raw: unknown, at: DecodeRun, index: number): DecodedChange {
  const change = changeShape(raw, index);
  const table = at.context.tables.get(change.table);
  if (table === undefined) throw new SyncError('UNKNOWN_TABLE', 400, `change #${index}: ${JSON.stringify(change.table)} is not a tracked table`);
  const key = decodeKey(change, table, index);
  if (change.hlc > at.limit) refuseClock(change.hlc, `change #${index}`, at.context);
  if (change.cl % 2 === 0 && change.cells !== undefined && Object.keys(change.cells).length > 0) {
    throw new SyncError('INVALID_CHANGESET', 400, `change #${index}: a deleted row (even cl) carries no cells`);
  }
  const site = at.sites[change.site] ?? siteAt(at.sites, change.site, `change #${index}`);
  const values: (SqlValue | undefined)[] = new Array<SqlValue | undefined>(table.table.columns.length);
  const keyColumns = table.table.key;
  for (let position = 0; position < keyColumns.length; position += 1) values[(keyColumns[position] as TrackedColumn).index] = key[position];
  const { sent, clocks } = decodeCells(change, table, at, index, site, values);
  return new DecodedChange(table, key, change.cl, change.hlc, site, values, sent, clocks);
}

function* decodeAll(wire: WireChangeset, run: DecodeRun): Iterable<DecodedChange> {
  for (let index = 0; index < wire.changes.length; index += 1) yield decodeChange(wire.changes[index], run, index);
}

/**
 * Checks a protocol 1 changeset's envelope: its shape (compiled JSON Schema), protocol and tracked schema; each change is checked as it is decoded.
 * @param limit - the highest clock accepted
 * @throws SyncError 400 `INVALID_CHANGESET`, `UNSUPPORTED_PROTOCOL`; 409 `SCHEMA_MISMATCH`
 */
export function checkObjectChangeset(raw: unknown, context: DecodeContext, limit: number): CheckedChangeset {
  const wire = checkChangesetShape(raw);
  checkSchema(context.schema, wire.schema);
  const run: DecodeRun = { sites: wire.sites, context, limit };
  return { ...run, envelope: wire, count: wire.changes.length, changes: () => decodeAll(wire, run) };
}
