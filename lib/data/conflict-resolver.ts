import type Database from 'better-sqlite3';
import { HLC_SQL, OP } from './capture-sql';
import type { ConflictList } from './conflict-list';
import { exact } from './prepared';
import type { TableParts } from './settle-batch';
import { SyncError } from '../sync-error';
import type { TrackedColumn } from './tracked-table';
import { raisedByAppTrigger } from './trigger-refusal';
import { expressionFailure } from './expression-refusal';
import type { VisibleState } from './visible-state';
import { strictTypeRefusal } from './strict-type';
import { decodeValue, type SqlValue, type WireValue } from './values';
import { resolutionCheck, type Resolution } from './wire-schema';

/** A resolution written to the capture log, waiting for the fold. */
export interface WrittenResolution {
  readonly parts: TableParts;
  readonly key: SqlValue[];
  readonly action: Resolution['action'];
}

function invalid(message: string): never {
  throw new SyncError('INVALID_RESOLUTION', 400, message);
}

/**
 * Checks a resolution body.
 * @throws SyncError `INVALID_RESOLUTION` (400) naming what is wrong
 */
export function checkResolution(body: unknown): Resolution {
  if (resolutionCheck.Check(body)) return body;
  const first = resolutionCheck.Errors(body).First();
  return invalid(`send {"action":"discard"} or {"action":"restore","values":{…}} (${first === undefined ? 'bad body' : `${first.path || '/'}: ${first.message}`})`);
}

/**
 * The 400 for a restore the database refuses while it brings the row back: a
 * value its column refuses (NOT NULL, a STRICT type) or an expression of the
 * schema fails on (`malformed JSON` in a CHECK), or an app trigger that
 * RAISEs or whose own write fails as the row (or a row it brings back with it)
 * enters its table: the app refuses those values, as it would in an ordinary
 * insert. Undefined for any other error.
 */
function refusedRestore(error: unknown, parts: TableParts): SyncError | undefined {
  // The constraint rules name a trigger's refusal as a merge's (APPLY_REFUSED, with advice for merges): its cause is what the app said.
  const settling = error instanceof SyncError && error.code === 'APPLY_REFUSED' && error.cause !== undefined;
  const raw = settling ? error.cause : error;
  const { code, message } = raw as { code?: unknown; message?: unknown };
  const said = typeof message === 'string' ? message : String(raw);
  if (!settling && (code === 'SQLITE_CONSTRAINT_NOTNULL' || code === 'SQLITE_CONSTRAINT_DATATYPE') && !raisedByAppTrigger(raw, parts.statements)) {
    return new SyncError('INVALID_RESOLUTION', 400, `a restored value is refused by its column: ${said}`, { cause: raw });
  }
  const failed = settling ? undefined : expressionFailure(raw);
  if (failed !== undefined) {
    const what = 'an expression of the schema (a CHECK, a generated column, an index on an expression, an app trigger) failing on it';
    return new SyncError('INVALID_RESOLUTION', 400, `a restored value could not be written: SQLite says ${JSON.stringify(failed)}, ${what}; nothing was written: restore it with values the schema accepts, or discard it`, { cause: raw });
  }
  if (!settling && code !== 'SQLITE_CONSTRAINT_TRIGGER' && !raisedByAppTrigger(raw, parts.statements)) return undefined;
  return new SyncError(
    'INVALID_RESOLUTION',
    400,
    `restoring the ${parts.statements.table.name} row was refused by an app trigger: ${JSON.stringify(said)}; nothing was written: restore it with values the app accepts, or discard it`,
    { cause: raw },
  );
}

/**
 * Turns a resolution into an ordinary local write, logged like the capture
 * triggers log one, so it gets a clock and a seq and reaches every server:
 * `discard` deletes the parked row; `restore` writes the given cells (wire
 * values) with a new clock. The fold and the constraint rules do the rest.
 */
export class ConflictResolver {
  readonly #db: Database.Database;
  readonly #conflicts: ConflictList;
  readonly #log: Database.Statement;

  /** Prepares the log statement. */
  constructor(db: Database.Database, conflicts: ConflictList) {
    this.#db = db;
    this.#conflicts = conflicts;
    this.#log = exact(db, `INSERT INTO _sync_log (tbl, op, pk, cols, hlc) VALUES (?, ?, ?, ?, ${HLC_SQL})`);
  }

  /**
   * Logs the resolution of conflict `id`. Call inside a write transaction.
   * @throws SyncError `CONFLICT_NOT_FOUND` (404); `INVALID_RESOLUTION` (400) for an unknown or key column or a bad value
   */
  write(id: string, resolution: Resolution): WrittenResolution {
    const found = this.#conflicts.find(id) ?? this.#notFound(id);
    const { parts, key } = found;
    const metaKey = parts.statements.metaKey(key);
    if (resolution.action === 'discard') {
      this.#log.run(parts.statements.table.id, OP.delete, metaKey, 0);
      return { parts, key, action: 'discard' };
    }
    const cells = this.#cells(parts, resolution.values);
    if (cells.length > 0) {
      parts.parked.update(cells, key);
      const mask = cells.reduce((bits, [column]) => bits | (1n << BigInt(column.id)), 0n);
      this.#log.run(parts.statements.table.id, OP.update, metaKey, BigInt.asIntN(64, mask));
    }
    return { parts, key, action: 'restore' };
  }

  /**
   * Resolves conflict `id` inside the caller's write transaction: logs the
   * resolution, folds it (the constraint rules run), and refuses a restore
   * that leaves the row parked (the caller's transaction then rolls back).
   * @throws SyncError `CONFLICT_NOT_FOUND` (404), `INVALID_RESOLUTION` (400: also a restore an app trigger refuses), `STILL_CONFLICTS` (409)
   */
  resolve(id: string, resolution: Resolution, visible: VisibleState, foreignKeys: boolean): { readonly id: string; readonly action: Resolution['action']; readonly seq: number } {
    visible.fold(foreignKeys);
    const written = this.write(id, resolution);
    let seq: number;
    try {
      seq = visible.fold(foreignKeys).seq;
    } catch (error) {
      throw refusedRestore(error, written.parts) ?? error;
    }
    if (written.action === 'restore' && !written.parts.statements.present(written.key)) {
      const still = this.#conflicts.report(written.parts, written.key);
      throw new SyncError('STILL_CONFLICTS', 409, `the restored row would still be parked (${still.message}); change the values that clash, or discard it`);
    }
    return { id, action: written.action, seq };
  }

  #notFound(id: string): never {
    const shown = id.length > 80 ? `${JSON.stringify(id.slice(0, 80))}… (${id.length} characters)` : JSON.stringify(id);
    throw new SyncError('CONFLICT_NOT_FOUND', 404, `no conflict ${shown}: it may have been resolved already (GET /data/conflicts lists them)`);
  }

  #cells(parts: TableParts, values: Readonly<Record<string, WireValue>>): [TrackedColumn, SqlValue][] {
    const { table } = parts.statements;
    return Object.entries(values).map(([name, wire]) => {
      const column = table.valuesByName.get(name);
      if (column === undefined) {
        invalid(table.key.some((keyColumn) => keyColumn.name === name) ? `"${name}" is a key column of ${table.name}; a key cannot be edited (discard the row and insert a new one)` : `${table.name} has no column ${JSON.stringify(name)}`);
      }
      let value: SqlValue;
      try {
        value = decodeValue(wire, `values.${name}`);
      } catch (error) {
        return invalid(error instanceof Error ? error.message : String(error));
      }
      if (value === null && column.notNull) invalid(`${table.name}.${name} is NOT NULL: give it a value`);
      const refused = strictTypeRefusal(this.#db, table.name, column, value);
      if (refused !== undefined) invalid(`values.${name}: ${refused} (a STRICT table)`);
      return [column, value];
    });
  }
}
