import type Database from 'better-sqlite3';
import { SyncError } from '../sync-error';
import { compareClaims, type Claim, type ClaimReader } from './claims';
import { RowProbes } from './row-probes';
import { rowRef } from './row-ref';
import type { SettleBatch, TableParts } from './settle-batch';
import type { SqlValue } from './values';
import { raisedByAppTrigger, settlingWords, triggerRefusal, type SettledWrites } from './trigger-refusal';
import type { ConflictReason } from './wire-schema';

/** A candidate for admission: a live row, its claim, where it is. */
interface Candidate {
  readonly key: SqlValue[];
  readonly claim: Claim;
}

/** A holder a candidate displaced: its key, its values, and its row when it was in the table (undefined: it was parked for FOREIGN_KEY). */
interface Displaced {
  readonly key: SqlValue[];
  readonly values: readonly SqlValue[];
  readonly row: SqlValue[] | undefined;
}

/** An admitted row holding one of a candidate's UNIQUE values, and the `ref` of the UNIQUE constraint it holds it in. */
interface Holder {
  readonly key: SqlValue[];
  readonly on: string;
}

/** Where a live row is now: in the table, or parked (and why). */
type Location = { readonly at: 'table'; readonly values: SqlValue[] } | { readonly at: 'parked'; readonly values: SqlValue[]; readonly reason: ConflictReason } | { readonly at: 'nowhere' };

/** The reason a constraint error parks a row for, or undefined for any other error. */
export function parkReason(error: unknown): ConflictReason | undefined {
  const code = (error as { code?: unknown }).code;
  if (code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY') return 'UNIQUE';
  if (code === 'SQLITE_CONSTRAINT_CHECK') return 'CHECK';
  return undefined;
}

/**
 * The reason a parked row that cannot come back stays parked for: the
 * {@link parkReason} of the error, or `CHECK` for a NOT NULL or STRICT type
 * refusal (a column added since with no default the row could take). A
 * release never fails the batch: the row stays parked, listed as a conflict.
 */
function keptParkedReason(error: unknown): ConflictReason | undefined {
  const reason = parkReason(error);
  if (reason !== undefined) return reason;
  const code = (error as { code?: unknown }).code;
  return code === 'SQLITE_CONSTRAINT_NOTNULL' || code === 'SQLITE_CONSTRAINT_DATATYPE' ? 'CHECK' : undefined;
}

/**
 * The APPLY_REFUSED for an app trigger whose write failed while a parked row
 * came back into its table (it would stay parked on this server only), in the words of the `settled` writes.
 */
export function comingBackRefusal(error: unknown, parts: TableParts, key: readonly SqlValue[], settled: SettledWrites): SyncError {
  const { statements } = parts;
  const { write, undone, fix } = settlingWords(settled, `a parked ${statements.table.name} row ${JSON.stringify(statements.wireKey(key))} coming back into its table`);
  return triggerRefusal(error, [statements], write, statements, undone, fix) ?? new SyncError('APPLY_REFUSED', 409, `${write} was refused by an app trigger`, { cause: error });
}

/**
 * The UNIQUE and CHECK rule: taking a table's live rows in claim order, a row
 * is admitted when it passes CHECK and no admitted row before it holds one of
 * its UNIQUE values (rows parked for FOREIGN_KEY are admitted: they keep their
 * values). Only the parked rows are ranked, earliest claim first: the visible
 * rows passed SQLite's own checks against each other, and a visible row that
 * holds a value an earlier parked row claims is found as its holder and
 * displaced (parked). Work is proportional to the parked rows, not the table.
 */
export class UniqueSettler {
  readonly #db: Database.Database;
  readonly #claims: ClaimReader;
  readonly #probes: RowProbes;

  /** Keeps the collaborators. */
  constructor(db: Database.Database, claims: ClaimReader, probes: RowProbes) {
    this.#db = db;
    this.#claims = claims;
    this.#probes = probes;
  }

  /**
   * Settles one table after a batch. Nothing to do while it has no parked rows.
   * Only the parked rows whose standing the batch may have changed are ranked
   * (see {@link #candidates}), earliest claim first; a holder displaced while
   * ranking frees its other values, so the rows parked on them are ranked too.
   */
  settle(parts: TableParts, batch: SettleBatch): void {
    if (parts.parked.count() === 0) return;
    const tableId = parts.statements.table.id;
    const seen = new Set<string>();
    const fresh = (keys: readonly SqlValue[][]): Candidate[] =>
      keys
        .filter((key) => {
          const ref = rowRef(tableId, key);
          return !seen.has(ref) && seen.add(ref) !== undefined;
        })
        .map((key) => ({ key, claim: this.#claims.claimOf(parts.statements, key) }));
    const queue = fresh(this.#candidates(parts, batch)).sort((a, b) => compareClaims(a.claim, b.claim));
    for (let at = 0; at < queue.length; at += 1) {
      const { displaced, admitted } = this.#evaluate(parts, queue[at] as Candidate, batch);
      for (const holder of displaced) seen.add(rowRef(tableId, holder.key));
      // The values the displaced let go, and those an admitted row now holds (a row parked for CHECK that claims one later is parked for UNIQUE now).
      const freedOrTaken = [...displaced.map((holder) => holder.values), ...(admitted === undefined ? [] : [admitted])];
      for (const candidate of fresh(freedOrTaken.flatMap((values) => this.#claimantsOf(parts, values)))) {
        let slot = at + 1;
        while (slot < queue.length && compareClaims((queue[slot] as Candidate).claim, candidate.claim) < 0) slot += 1;
        queue.splice(slot, 0, candidate);
      }
    }
  }

  /**
   * The parked rows to rank after a batch: all of them when the batch cannot
   * name the rows it wrote; else those it parked, unparked or wrote, those
   * claiming a value of a row it wrote (that row's claim may have changed), and
   * those no admitted row may block any more (a holder let a value go).
   */
  #candidates(parts: TableParts, batch: SettleBatch): SqlValue[][] {
    const moved = batch.movedIn(parts);
    if (moved === undefined || moved.written.length > parts.parked.count()) return parts.parked.keys();
    const keys = [...moved.parked, ...parts.parked.unblocked()];
    for (const key of moved.written) {
      // Visible or parked (a row parked for FOREIGN_KEY holds its values: its claim may have moved past their claimants'); a key gone is passed over.
      const values = parts.statements.select(key) ?? parts.parked.select(key);
      keys.push(key);
      if (values !== undefined) keys.push(...this.#claimantsOf(parts, values));
    }
    return keys;
  }

  /** Keys of the parked rows claiming one of the UNIQUE values of a row (values in column order). */
  #claimantsOf(parts: TableParts, values: readonly SqlValue[]): SqlValue[][] {
    const keys: SqlValue[][] = [];
    for (const unique of parts.statements.table.uniques) {
      const claimed = RowProbes.pick(values, unique.columns);
      if (!claimed.some((value) => value === null)) keys.push(...parts.parked.claimants(unique, claimed));
    }
    return keys;
  }

  #locate(parts: TableParts, key: readonly SqlValue[]): Location {
    const values = parts.statements.select(key);
    if (values !== undefined) return { at: 'table', values };
    const parked = parts.parked.select(key);
    if (parked === undefined) return { at: 'nowhere' };
    return { at: 'parked', values: parked, reason: parts.parked.reason(key) ?? 'UNIQUE' };
  }

  /** The admitted rows (visible, or parked for FOREIGN_KEY) other than `key` that hold one of its UNIQUE values, each once (in the first constraint it holds one in). */
  #holders(parts: TableParts, key: readonly SqlValue[], values: readonly SqlValue[]): Holder[] {
    const tableId = parts.statements.table.id;
    const seen = new Set([rowRef(tableId, key)]);
    const found: Holder[] = [];
    for (const unique of parts.statements.table.uniques) {
      const claimed = RowProbes.pick(values, unique.columns);
      if (claimed.some((value) => value === null)) continue;
      const keys = [...this.#probes.holders(parts.statements, unique, claimed), ...parts.parked.claimants(unique, claimed, 'FOREIGN_KEY')];
      for (const other of keys) {
        const ref = rowRef(tableId, other);
        if (seen.has(ref)) continue;
        seen.add(ref);
        found.push({ key: other, on: unique.ref });
      }
    }
    return found;
  }

  /** Ranks one parked row against the holders of its values. @returns the holders it displaced (their other values are free now), and its values when it entered the table */
  #evaluate(parts: TableParts, candidate: Candidate, batch: SettleBatch): { readonly displaced: Displaced[]; readonly admitted?: readonly SqlValue[] } {
    const location = this.#locate(parts, candidate.key);
    if (location.at === 'nowhere') return { displaced: [] };
    const holders = this.#holders(parts, candidate.key, location.values);
    const earlier = holders.find((holder) => compareClaims(this.#claims.claimOf(parts.statements, holder.key), candidate.claim) < 0);
    if (earlier !== undefined) {
      this.#park(parts, candidate.key, location, 'UNIQUE', batch, earlier.on);
      return { displaced: [] };
    }
    if (location.at === 'table' && holders.length === 0) return { displaced: [] };
    const displaced = this.#admit(parts, candidate.key, location, holders, batch);
    const admitted = location.at === 'parked' && parts.statements.present(candidate.key) ? location.values : undefined;
    return { displaced, admitted };
  }

  /** Parks a row (or keeps it parked) for `reason`; `blocker` names (its `ref`) the UNIQUE constraint an earlier claim holds its value in. */
  #park(parts: TableParts, key: SqlValue[], location: Location, reason: ConflictReason, batch: SettleBatch, blocker?: string): void {
    if (location.at === 'table') {
      batch.noteParking(parts, key, false);
      parts.parked.fromTable(key, reason, batch, blocker);
      batch.left(parts, location.values);
    } else if (location.at === 'parked') parts.parked.setReason(key, reason, blocker);
  }

  /**
   * Displaces the later holders, then moves the candidate into the table; undone when CHECK refuses it.
   * @returns the holders displaced
   */
  #admit(parts: TableParts, key: SqlValue[], location: Location, holders: readonly Holder[], batch: SettleBatch): Displaced[] {
    this.#db.exec('SAVEPOINT _sync_admit');
    const displaced: Displaced[] = [];
    try {
      for (const { key: holder, on } of holders) {
        const row = parts.statements.select(holder);
        if (row !== undefined) parts.parked.fromTable(holder, 'UNIQUE', batch, on);
        else parts.parked.setReason(holder, 'UNIQUE', on);
        displaced.push({ key: holder, row, values: row ?? parts.parked.select(holder) ?? [] });
      }
      if (location.at === 'parked') parts.parked.toTable(key, batch.settled);
      this.#db.exec('RELEASE _sync_admit');
    } catch (error) {
      this.#db.exec('ROLLBACK TO _sync_admit; RELEASE _sync_admit');
      if (raisedByAppTrigger(error, parts.statements)) throw comingBackRefusal(error, parts, key, batch.settled);
      const reason = keptParkedReason(error);
      if (reason === undefined) throw error;
      this.#park(parts, key, location, reason, batch);
      return [];
    }
    for (const { key: holder, row } of displaced) {
      if (row === undefined) continue;
      batch.noteParking(parts, holder, false);
      batch.left(parts, row);
    }
    if (location.at === 'parked') {
      batch.noteParking(parts, key, true);
      batch.entered.push({ statements: parts.statements, key });
    }
    return displaced;
  }
}
