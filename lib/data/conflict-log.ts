import type Database from 'better-sqlite3';
import { quoteIdent } from './sql-names';
import type { TableStatements } from './table-statements';
import { encodeValue, type SqlValue, type WireValue } from './values';
import type { ConflictReason, ConflictReport } from './wire-schema';

export type { ConflictReason, ConflictReport } from './wire-schema';

/** A conflict as `_sync_conflicts` keeps it: both versions, as JSON. */
export interface ConflictRecord extends ConflictReport {
  /** The change that could not be placed (or the local row that lost its parent). */
  readonly incoming: unknown;
  /** The local row it clashed with, or the missing parent; null when unknown. */
  readonly local: unknown;
  readonly hlc: number;
  readonly site: string;
  /** ISO time of recording. */
  readonly at: string;
}

interface StoredConflict {
  id: number;
  tbl: string;
  key: string;
  reason: ConflictReason;
  message: string;
  incoming: string;
  local: string | null;
  hlc: number;
  site: string;
  at: string;
}

/** Encodes a row (values in column order) as a JSON-safe object keyed by column name. */
export function rowObject(statements: TableStatements, values: readonly SqlValue[]): Record<string, WireValue> {
  const { table } = statements;
  return Object.fromEntries(table.columns.map((column, index) => [column.name, encodeValue(values[index] ?? null, `${table.name}.${column.name}`)]));
}

function bigintSafe(_key: string, value: unknown): unknown {
  return typeof value === 'bigint' ? value.toString() : value;
}

/** Records and lists conflicts in `_sync_conflicts`. */
export class ConflictLog {
  readonly #db: Database.Database;
  readonly #insert: Database.Statement;
  readonly #list: Database.Statement;
  readonly #count: Database.Statement;
  readonly #uniqueLookups = new Map<string, Database.Statement>();

  /** Prepares the statements. */
  constructor(db: Database.Database) {
    this.#db = db;
    this.#insert = db.prepare(
      'INSERT INTO _sync_conflicts (tbl, key, reason, message, incoming, local, hlc, site, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
    );
    this.#list = db.prepare('SELECT id, tbl, key, reason, message, incoming, local, hlc, site, at FROM _sync_conflicts WHERE id > ? ORDER BY id LIMIT ?');
    this.#count = db.prepare('SELECT count(*) FROM _sync_conflicts').pluck().safeIntegers(false);
  }

  /** How many conflicts are recorded. */
  count(): number {
    return this.#count.get() as number;
  }

  /** Stores one conflict and returns its report. */
  record(table: string, key: WireValue[], reason: ConflictReason, message: string, incoming: unknown, local: unknown, clock: { hlc: number; site: string }): ConflictReport {
    const info = this.#insert.run(
      table,
      JSON.stringify(key),
      reason,
      message,
      JSON.stringify(incoming, bigintSafe),
      local === null ? null : JSON.stringify(local, bigintSafe),
      clock.hlc,
      clock.site,
      new Date().toISOString(),
    );
    return { id: Number(info.lastInsertRowid), table, key, reason, message };
  }

  /** Conflicts recorded after `afterId`, oldest first. */
  list(afterId = 0, limit = 100): ConflictRecord[] {
    return (this.#list.all(afterId, limit) as StoredConflict[]).map((row) => ({
      id: row.id,
      table: row.tbl,
      key: JSON.parse(row.key) as WireValue[],
      reason: row.reason,
      message: row.message,
      incoming: JSON.parse(row.incoming) as unknown,
      local: row.local === null ? null : (JSON.parse(row.local) as unknown),
      hlc: row.hlc,
      site: row.site,
      at: row.at,
    }));
  }

  /**
   * The local row holding the values a change clashed with on a UNIQUE index,
   * looked up index by index (column names come from the schema, never from the wire).
   */
  clashingRow(statements: TableStatements, values: readonly SqlValue[]): Record<string, WireValue> | null {
    const { table } = statements;
    for (const unique of table.uniques) {
      const indexes = unique.map((name) => table.columns.findIndex((column) => column.name === name));
      if (indexes.some((index) => index < 0)) continue;
      const probe = indexes.map((index) => values[index] ?? null);
      if (probe.some((value) => value === null)) continue;
      const lookup = this.#uniqueLookup(statements, unique);
      const found = lookup.get(...probe) as SqlValue[] | undefined;
      if (found !== undefined) return rowObject(statements, found);
    }
    return null;
  }

  #uniqueLookup(statements: TableStatements, unique: readonly string[]): Database.Statement {
    const id = `${statements.table.id}:${unique.join('\u0000')}`;
    let lookup = this.#uniqueLookups.get(id);
    if (lookup === undefined) {
      const columns = statements.table.columns.map((column) => quoteIdent(column.name)).join(', ');
      const where = unique.map((name) => `${quoteIdent(name)} = ?`).join(' AND ');
      lookup = this.#db.prepare(`SELECT ${columns} FROM ${quoteIdent(statements.table.name)} WHERE ${where}`).raw(true).safeIntegers(true);
      this.#uniqueLookups.set(id, lookup);
    }
    return lookup;
  }
}
