import type Database from 'better-sqlite3';
import type { DecodedChange } from './changeset';
import { rowObject, type ConflictLog, type ConflictReason, type ConflictReport } from './conflict-log';
import type { ForeignKeyCheck } from './foreign-key-check';
import type { MetaReader } from './meta-reader';
import type { SiteRegistry } from './site-registry';
import { SyncError } from '../sync-error';
import { encodeValue, type SqlValue } from './values';

/** A change a constraint stopped, waiting for a retry or the conflict log. */
export interface Pending {
  readonly change: DecodedChange;
  readonly reason: ConflictReason;
  readonly message: string;
}

const CONFLICT_CODES: Readonly<Record<string, ConflictReason>> = {
  SQLITE_CONSTRAINT_UNIQUE: 'UNIQUE',
  SQLITE_CONSTRAINT_PRIMARYKEY: 'UNIQUE',
  SQLITE_CONSTRAINT_CHECK: 'CHECK',
  SQLITE_CONSTRAINT_FOREIGNKEY: 'FOREIGN_KEY',
};

/**
 * A constraint failure a merge rule cannot settle becomes a pending conflict; bad data refuses the changeset.
 * @throws SyncError `INVALID_VALUE` (400) for NOT NULL or STRICT type failures; rethrows anything else
 */
export function classify(error: unknown, change: DecodedChange): Pending {
  const code = (error as { code?: unknown }).code;
  const message = error instanceof Error ? error.message : String(error);
  const reason = typeof code === 'string' ? CONFLICT_CODES[code] : undefined;
  if (reason !== undefined) return { change, reason, message };
  if (code === 'SQLITE_CONSTRAINT_NOTNULL' || code === 'SQLITE_CONSTRAINT_DATATYPE') {
    throw new SyncError('INVALID_VALUE', 400, `a change to ${change.table.table.name} holds a value its column refuses: ${message}`, { cause: error });
  }
  throw error;
}

/** The full row a complete change describes, in column order. */
export function rowValues(change: DecodedChange): SqlValue[] {
  const { table } = change.table;
  const values: SqlValue[] = table.columns.map(() => null);
  table.key.forEach((column, index) => (values[column.index] = change.key[index] ?? null));
  for (const cell of change.cells) values[cell.column.index] = cell.value;
  return values;
}

/** The incoming version of a row as the conflict log keeps it. */
function describeIncoming(change: DecodedChange): unknown {
  const { table } = change.table;
  const values: Record<string, unknown> = {};
  table.key.forEach((column, index) => (values[column.name] = change.wire.key[index]));
  for (const cell of change.cells) values[cell.column.name] = encodeValue(cell.value, `${table.name}.${cell.column.name}`);
  return { cl: change.cl, hlc: change.hlc, site: change.site, values };
}

/** Records what no merge rule settles: UNIQUE and CHECK clashes, and rows left without a parent. */
export class ConflictSettler {
  readonly #db: Database.Database;
  readonly #meta: MetaReader;
  readonly #sites: SiteRegistry;
  readonly #conflicts: ConflictLog;
  readonly #foreignKeys: ForeignKeyCheck;

  /** Keeps the collaborators; prepares nothing of its own. */
  constructor(db: Database.Database, meta: MetaReader, sites: SiteRegistry, conflicts: ConflictLog, foreignKeys: ForeignKeyCheck) {
    this.#db = db;
    this.#meta = meta;
    this.#sites = sites;
    this.#conflicts = conflicts;
    this.#foreignKeys = foreignKeys;
  }

  /** Records a change that still fails after the retries, with the local row it clashed with. */
  record(failed: Pending): ConflictReport {
    const { change } = failed;
    const current = change.table.select(change.key);
    let local: unknown = current === undefined ? null : rowObject(change.table, current);
    if (failed.reason === 'UNIQUE') {
      const candidate = change.complete ? rowValues(change) : this.#mergedRow(change, current);
      local = this.#conflicts.clashingRow(change.table, candidate) ?? local;
    }
    return this.#conflicts.record(change.table.table.name, change.wire.key, failed.reason, failed.message, describeIncoming(change), local, change);
  }

  #mergedRow(change: DecodedChange, current: SqlValue[] | undefined): SqlValue[] {
    const values = current ?? rowValues(change);
    for (const cell of change.cells) values[cell.column.index] = cell.value;
    return values;
  }

  /**
   * Moves rows whose parent is missing once every change is in to the
   * conflict log and out of their table (their metadata stays, so the rest
   * converges). Needed before commit, or deferred foreign keys would fail it.
   */
  settleForeignKeys(touched: Set<string>): ConflictReport[] {
    const reports: ConflictReport[] = [];
    if (!this.#foreignKeys.hasForeignKeys || touched.size === 0) return reports;
    if (this.#db.pragma('foreign_keys', { simple: true }) !== 1) return reports;
    for (let round = 0; round < 16; round += 1) {
      const violations = this.#foreignKeys.violations(touched);
      if (violations.length === 0) return reports;
      for (const violation of violations) {
        const { table } = violation.child;
        const key = table.key.map((column) => violation.values[column.index] ?? null);
        const meta = this.#meta.row(table.id, violation.child.metaKey(key));
        const clock = { hlc: meta?.hlc ?? 0, site: this.#sites.siteOf(meta?.site ?? 0) };
        const wireKey = key.map((value) => encodeValue(value, table.name));
        const reference = { table: violation.parent, key: violation.reference.map((value) => encodeValue(value, violation.parent)) };
        const message = `FOREIGN KEY: ${table.name} row points at a ${violation.parent} row that does not exist`;
        reports.push(this.#conflicts.record(table.name, wireKey, 'FOREIGN_KEY', message, rowObject(violation.child, violation.values), reference, clock));
        violation.child.delete(key);
        touched.add(table.name);
      }
    }
    return reports;
  }
}
