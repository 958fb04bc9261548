import { changesetCheck, PROTOCOL_VERSION, type WireChange, type WireChangeset } from './changeset-schema';
import { diffSchemas, type SchemaDescription } from './schema-fingerprint';
import { SyncError } from './sync-error';
import type { TableStatements } from './table-statements';
import type { TrackedColumn } from './tracked-table';
import { decodeValue, type SqlValue } from './values';

export { PROTOCOL_VERSION, ChangesetSchema, WireChangeSchema, WireValueSchema } from './changeset-schema';
export type { WireChangeset, WireChange, WireCell } from './changeset-schema';

/** One cell of a decoded change. */
export interface DecodedCell {
  readonly column: TrackedColumn;
  readonly value: SqlValue;
  readonly hlc: number;
  readonly site: string;
}

/** One change, checked against the tracked schema, with values ready to bind. */
export interface DecodedChange {
  readonly table: TableStatements;
  readonly key: readonly SqlValue[];
  /** The key as the metadata stores it. */
  readonly metaKey: SqlValue;
  readonly cl: number;
  readonly hlc: number;
  readonly site: string;
  readonly cells: readonly DecodedCell[];
  /** True when every non-key column is present (needed to create or revive a row). */
  readonly complete: boolean;
  /** The change as received, kept for the conflict log. */
  readonly wire: WireChange;
}

/** A changeset checked and decoded, ready for the merge. */
export interface DecodedChangeset {
  /** The site whose `seq` the `since`/`next` cursor counts. */
  readonly site: string;
  readonly since: number | undefined;
  readonly next: number | undefined;
  readonly changes: readonly DecodedChange[];
  /** The highest clock in the changeset (the local clock is raised past it). */
  readonly maxHlc: number;
}

/** What decoding needs from the receiving database. */
export interface DecodeContext {
  readonly schema: SchemaDescription;
  readonly tables: ReadonlyMap<string, TableStatements>;
  /** Wall time in ms (`Date.now()` outside tests). */
  readonly nowMs: number;
  /** Clocks this far ahead of `nowMs` are refused. */
  readonly maxClockSkewMs: number;
}

function readProtocol(raw: unknown): void {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new SyncError('INVALID_CHANGESET', 400, 'the changeset must be a JSON object');
  }
  const protocol = (raw as { protocol?: unknown }).protocol;
  if (protocol === undefined) throw new SyncError('INVALID_CHANGESET', 400, '/protocol: required property is missing');
  if (protocol !== PROTOCOL_VERSION) {
    throw new SyncError('UNSUPPORTED_PROTOCOL', 400, `protocol ${JSON.stringify(protocol)} is not supported; this server speaks protocol ${PROTOCOL_VERSION}`);
  }
}

/**
 * Checks a changeset's shape with the compiled JSON Schema.
 * @throws SyncError `INVALID_CHANGESET` (400) naming the first offending path; `UNSUPPORTED_PROTOCOL` (400)
 */
export function checkChangesetShape(raw: unknown): WireChangeset {
  readProtocol(raw);
  if (changesetCheck.Check(raw)) return raw;
  const first = changesetCheck.Errors(raw).First();
  const where = first === undefined ? '' : `${first.path || '/'}: ${first.message}`;
  throw new SyncError('INVALID_CHANGESET', 400, `the changeset does not match the protocol schema (${where})`);
}

/**
 * Refuses a changeset built against another tracked schema.
 * @throws SyncError `SCHEMA_MISMATCH` (409) naming every table and column that differs
 */
export function checkSchema(ours: SchemaDescription, theirs: SchemaDescription): void {
  const differences = diffSchemas(ours, theirs);
  if (ours.fingerprint === theirs.fingerprint && differences.length === 0) return;
  const detail = differences.length > 0 ? differences.join('; ') : `fingerprint ${theirs.fingerprint} differs from ${ours.fingerprint}`;
  throw new SyncError('SCHEMA_MISMATCH', 409, `the sender's tracked schema differs from this server's: ${detail}. Migrate both servers to the same schema, then sync.`);
}

function checkClock(hlc: number, where: string, context: DecodeContext): void {
  const limit = (context.nowMs + context.maxClockSkewMs) * 1024 + 1023;
  if (hlc > limit) {
    const aheadMs = Math.floor(hlc / 1024) - context.nowMs;
    throw new SyncError(
      'CLOCK_SKEW',
      422,
      `${where} carries a clock ${Math.round(aheadMs / 1000)} s ahead of this server's (limit ${Math.round(context.maxClockSkewMs / 1000)} s); fix the sender's clock (NTP) and sync again`,
    );
  }
}

function siteAt(sites: readonly string[], index: number, where: string): string {
  const site = sites[index];
  if (site === undefined) throw new SyncError('INVALID_CHANGESET', 400, `${where}: site index ${index} is not in "sites"`);
  return site;
}

function decodeCells(change: WireChange, table: TableStatements, sites: readonly string[], context: DecodeContext, where: string): DecodedCell[] {
  const cells: DecodedCell[] = [];
  for (const [name, [value, hlc, site]] of Object.entries(change.cells ?? {})) {
    const column = table.table.valuesByName.get(name);
    if (column === undefined) {
      const isKey = table.table.key.some((keyColumn) => keyColumn.name === name);
      if (isKey) throw new SyncError('INVALID_CHANGESET', 400, `${where}: ${JSON.stringify(name)} is a key column; send it in "key"`);
      throw new SyncError('UNKNOWN_COLUMN', 400, `${where}: table ${table.table.name} has no tracked column ${JSON.stringify(name)}`);
    }
    checkClock(hlc, `${where}.${name}`, context);
    cells.push({ column, value: decodeValue(value, `${where}.${name}`), hlc, site: siteAt(sites, site, `${where}.${name}`) });
  }
  return cells;
}

function decodeChange(change: WireChange, sites: readonly string[], context: DecodeContext, index: number): DecodedChange {
  const where = `change #${index}`;
  const table = context.tables.get(change.table);
  if (table === undefined) throw new SyncError('UNKNOWN_TABLE', 400, `${where}: ${JSON.stringify(change.table)} is not a tracked table`);
  if (change.key.length !== table.table.key.length) {
    throw new SyncError('INVALID_CHANGESET', 400, `${where}: table ${table.table.name} has ${table.table.key.length} key column(s), the change has ${change.key.length}`);
  }
  const key = change.key.map((value, position) => decodeValue(value, `${where}.key[${position}]`));
  if (key.some((value) => value === null)) throw new SyncError('INVALID_VALUE', 400, `${where}: a key value is null`);
  checkClock(change.hlc, where, context);
  const deleted = change.cl % 2 === 0;
  if (deleted && change.cells !== undefined && Object.keys(change.cells).length > 0) {
    throw new SyncError('INVALID_CHANGESET', 400, `${where}: a deleted row (even cl) carries no cells`);
  }
  const cells = decodeCells(change, table, sites, context, where);
  const site = siteAt(sites, change.site, where);
  const complete = cells.length === table.table.values.length;
  return { table, key, metaKey: table.metaKey(key), cl: change.cl, hlc: change.hlc, site, cells, complete, wire: change };
}

/**
 * Checks and decodes a changeset received from the wire. Pure apart from
 * building composite metadata keys with SQLite's `quote()`.
 * @throws SyncError 400 `INVALID_CHANGESET`, `UNSUPPORTED_PROTOCOL`, `UNKNOWN_TABLE`, `UNKNOWN_COLUMN`,
 * `INVALID_VALUE`, `UNSAFE_INTEGER`; 409 `SCHEMA_MISMATCH`; 422 `CLOCK_SKEW`
 */
export function decodeChangeset(raw: unknown, context: DecodeContext): DecodedChangeset {
  const changeset = checkChangesetShape(raw);
  checkSchema(context.schema, changeset.schema);
  const changes = changeset.changes.map((change, index) => decodeChange(change, changeset.sites, context, index));
  let maxHlc = 0;
  for (const change of changes) {
    maxHlc = Math.max(maxHlc, change.hlc);
    for (const cell of change.cells) maxHlc = Math.max(maxHlc, cell.hlc);
  }
  return { site: changeset.site, since: changeset.since, next: changeset.next, changes, maxHlc };
}
