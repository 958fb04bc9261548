import type Database from 'better-sqlite3';
import { decodeChange, type CheckedChangeset, type DecodedChange } from './changeset';
import { rowObject, type ConflictLog, type ConflictReason, type ConflictReport } from './conflicts';
import type { ForeignKeyCheck } from './fk-check';
import type { MetaReader, RowMeta } from './row-meta';
import type { SiteRegistry } from './sites';
import { SyncError } from './sync-error';
import { encodeValue, type SqlValue } from './values';

/** What one merge did. */
export interface MergeResult {
  /** Changes that changed something. */
  readonly applied: number;
  /** Changes that were older than, or equal to, what this database holds. */
  readonly ignored: number;
  /** Changes (or local rows) moved to `_sync_conflicts`. */
  readonly conflicts: ConflictReport[];
  /** The local seq after the merge. */
  readonly seq: number;
}

interface Run {
  readonly head: number;
  maxHlc: number;
  seq: number;
  applied: number;
  ignored: number;
  readonly touched: Set<string>;
  readonly conflicts: ConflictReport[];
}

interface Pending {
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

/** A constraint failure a merge rule cannot settle becomes a pending conflict; bad data refuses the changeset. */
function classify(error: unknown, change: DecodedChange): Pending {
  const code = (error as { code?: unknown }).code;
  const message = error instanceof Error ? error.message : String(error);
  const reason = typeof code === 'string' ? CONFLICT_CODES[code] : undefined;
  if (reason !== undefined) return { change, reason, message };
  if (code === 'SQLITE_CONSTRAINT_NOTNULL' || code === 'SQLITE_CONSTRAINT_DATATYPE') {
    throw new SyncError('INVALID_VALUE', 400, `a change to ${change.table.table.name} holds a value its column refuses: ${message}`, { cause: error });
  }
  throw error;
}

function newer(hlc: number, site: string, thanHlc: number, thanSite: string): boolean {
  return hlc > thanHlc || (hlc === thanHlc && site > thanSite);
}

/** The full row a complete change describes, in column order. */
function rowValues(change: DecodedChange): SqlValue[] {
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

/**
 * Merges decoded changes into the user tables and the clock tables:
 * causal length first (a higher one is a newer life of the row: a delete, or
 * a revival carrying every column), then per-cell last-writer-wins on
 * (hlc, site). Call inside one write transaction, after folding.
 */
export class ChangeMerger {
  readonly #db: Database.Database;
  readonly #meta: MetaReader;
  readonly #sites: SiteRegistry;
  readonly #conflicts: ConflictLog;
  readonly #foreignKeys: ForeignKeyCheck;
  readonly #statements: Readonly<Record<'applying' | 'newRow' | 'forgetRow' | 'putRow' | 'dropCells' | 'putCell' | 'lastHlc' | 'sentinel' | 'trim' | 'folded' | 'peer' | 'savePeer', Database.Statement>>;

  /** Prepares the merge's statements. */
  constructor(db: Database.Database, meta: MetaReader, sites: SiteRegistry, conflicts: ConflictLog, foreignKeys: ForeignKeyCheck) {
    this.#db = db;
    this.#meta = meta;
    this.#sites = sites;
    this.#conflicts = conflicts;
    this.#foreignKeys = foreignKeys;
    this.#statements = {
      applying: db.prepare('UPDATE _sync_state SET applying = ? WHERE id = 1'),
      newRow: db.prepare('INSERT INTO _sync_rows (tbl, pk, cl, hlc, site, born) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (tbl, pk) DO NOTHING'),
      forgetRow: db.prepare('DELETE FROM _sync_rows WHERE tbl = ? AND pk = ?'),
      putRow: db.prepare(
        `INSERT INTO _sync_rows (tbl, pk, cl, hlc, site, born) VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT (tbl, pk) DO UPDATE SET cl = excluded.cl, hlc = excluded.hlc, site = excluded.site, born = excluded.born`,
      ),
      dropCells: db.prepare('DELETE FROM _sync_cells WHERE tbl = ? AND pk = ?'),
      putCell: db.prepare(
        `INSERT INTO _sync_cells (tbl, pk, col, hlc, site, seq) VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT (tbl, pk, col) DO UPDATE SET hlc = excluded.hlc, site = excluded.site, seq = excluded.seq`,
      ),
      lastHlc: db.prepare('SELECT hlc FROM _sync_log ORDER BY seq DESC LIMIT 1').pluck(),
      sentinel: db.prepare("INSERT INTO _sync_log (seq, tbl, op, pk, cols, hlc) VALUES (?, 0, 0, '', 0, ?)"),
      trim: db.prepare('DELETE FROM _sync_log WHERE seq < ?'),
      folded: db.prepare('UPDATE _sync_state SET folded = ? WHERE id = 1'),
      peer: db.prepare('SELECT seq FROM _sync_peers WHERE site = ?').pluck(),
      savePeer: db.prepare('INSERT INTO _sync_peers (site, seq) VALUES (?, ?) ON CONFLICT (site) DO UPDATE SET seq = excluded.seq'),
    };
  }

  /**
   * Merges a changeset. `head` is the last local seq (after folding).
   * @throws SyncError `INCOMPLETE_ROW` (422) for a revival without every column; `INVALID_VALUE` (400) for a value a column refuses
   */
  merge(changeset: CheckedChangeset, head: number): MergeResult {
    const run: Run = { head, maxHlc: 0, seq: head, applied: 0, ignored: 0, touched: new Set(), conflicts: [] };
    this.#statements.applying.run(1);
    this.#db.pragma('defer_foreign_keys = ON');
    const pending: Pending[] = [];
    changeset.wire.changes.forEach((wire, index) => {
      const change = decodeChange(wire, changeset, index);
      run.maxHlc = Math.max(run.maxHlc, change.hlc);
      for (const cell of change.cells) if (cell.hlc > run.maxHlc) run.maxHlc = cell.hlc;
      const failed = this.#attempt(change, run);
      if (failed !== undefined) pending.push(failed);
    });
    for (const failed of this.#retry(pending, run)) run.conflicts.push(this.#recordPending(failed));
    this.#settleForeignKeys(run);
    this.#finish(run, changeset);
    this.#statements.applying.run(0);
    return { applied: run.applied, ignored: run.ignored, conflicts: run.conflicts, seq: run.seq };
  }

  #attempt(change: DecodedChange, run: Run): Pending | undefined {
    try {
      if (this.#mergeOne(change, run)) {
        run.applied += 1;
        run.touched.add(change.table.table.name);
      } else run.ignored += 1;
      return undefined;
    } catch (error) {
      return classify(error, change);
    }
  }

  /** Retries clashing changes while some succeed (a later change may free a UNIQUE value). */
  #retry(pending: Pending[], run: Run): Pending[] {
    let left = pending;
    while (left.length > 0) {
      const still = left.map((failed) => this.#attempt(failed.change, run)).filter((failed) => failed !== undefined);
      if (still.length === left.length) return still;
      left = still;
    }
    return left;
  }

  #mergeOne(change: DecodedChange, run: Run): boolean {
    if (this.#mergeNew(change, run)) return true;
    const local = this.#meta.row(change.table.table.id, change.metaKey);
    const localCl = local?.cl ?? 0;
    if (change.cl < localCl) return false;
    if (change.cl > localCl) return change.cl % 2 === 0 ? this.#bury(change, run, local !== undefined) : this.#revive(change, run, local !== undefined);
    if (change.cl % 2 === 0 || local === undefined) return false;
    return this.#mergeCells(change, local, run);
  }

  /**
   * The common case of a first sync, in one write instead of a lookup and a
   * write: record a row the metadata has never seen, then place it. When the
   * metadata knows the row, nothing is written and the full merge runs.
   */
  #mergeNew(change: DecodedChange, run: Run): boolean {
    if (change.cl % 2 === 1 && !change.complete) return false;
    const tbl = change.table.table.id;
    const seq = run.seq + 1;
    if (this.#statements.newRow.run(tbl, change.metaKey, change.cl, change.hlc, this.#sites.idOf(change.site), seq).changes === 0) return false;
    try {
      if (change.cl % 2 === 1) change.table.upsert(rowValues(change));
      else change.table.delete(change.key);
    } catch (error) {
      this.#statements.forgetRow.run(tbl, change.metaKey);
      throw error;
    }
    run.seq = seq;
    this.#putOverrides(change, seq);
    return true;
  }

  #putOverrides(change: DecodedChange, seq: number): void {
    for (const cell of change.cells) {
      if (cell.hlc === change.hlc && cell.site === change.site) continue;
      this.#statements.putCell.run(change.table.table.id, change.metaKey, cell.column.id, cell.hlc, this.#sites.idOf(cell.site), seq);
    }
  }

  #bury(change: DecodedChange, run: Run, known: boolean): boolean {
    change.table.delete(change.key);
    const seq = ++run.seq;
    const tbl = change.table.table.id;
    if (known) this.#statements.dropCells.run(tbl, change.metaKey);
    this.#statements.putRow.run(tbl, change.metaKey, change.cl, change.hlc, this.#sites.idOf(change.site), seq);
    return true;
  }

  #revive(change: DecodedChange, run: Run, known: boolean): boolean {
    if (!change.complete) {
      throw new SyncError(
        'INCOMPLETE_ROW',
        422,
        `a change to ${change.table.table.name} creates or revives a row (cl ${change.cl}) without every column; pull from since=0 to receive whole rows`,
      );
    }
    change.table.upsert(rowValues(change));
    const seq = ++run.seq;
    const tbl = change.table.table.id;
    if (known) this.#statements.dropCells.run(tbl, change.metaKey);
    this.#statements.putRow.run(tbl, change.metaKey, change.cl, change.hlc, this.#sites.idOf(change.site), seq);
    this.#putOverrides(change, seq);
    return true;
  }

  #mergeCells(change: DecodedChange, local: RowMeta, run: Run): boolean {
    const tbl = change.table.table.id;
    const overrides = this.#meta.cells(tbl, change.metaKey);
    const winners = change.cells.filter((cell) => {
      const clock = overrides.get(cell.column.id) ?? local;
      return newer(cell.hlc, cell.site, clock.hlc, this.#sites.siteOf(clock.site));
    });
    if (winners.length === 0) return false;
    change.table.update(
      winners.map((cell) => [cell.column, cell.value] as const),
      change.key,
    );
    const seq = ++run.seq;
    for (const cell of winners) this.#statements.putCell.run(tbl, change.metaKey, cell.column.id, cell.hlc, this.#sites.idOf(cell.site), seq);
    return true;
  }

  #recordPending(failed: Pending): ConflictReport {
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

  /** Moves rows whose parent is missing once every change is in to the conflict log (they stay in the metadata). */
  #settleForeignKeys(run: Run): void {
    if (!this.#foreignKeys.hasForeignKeys || run.touched.size === 0) return;
    if (this.#db.pragma('foreign_keys', { simple: true }) !== 1) return;
    for (let round = 0; round < 16; round += 1) {
      const violations = this.#foreignKeys.violations(run.touched);
      if (violations.length === 0) return;
      for (const violation of violations) {
        const { table } = violation.child;
        const key = table.key.map((column) => violation.values[column.index] ?? null);
        const meta = this.#meta.row(table.id, violation.child.metaKey(key));
        const clock = { hlc: meta?.hlc ?? 0, site: this.#sites.siteOf(meta?.site ?? 0) };
        const wireKey = key.map((value) => encodeValue(value, table.name));
        const reference = { table: violation.parent, key: violation.reference.map((value) => encodeValue(value, violation.parent)) };
        const message = `FOREIGN KEY: ${table.name} row points at a ${violation.parent} row that does not exist`;
        run.conflicts.push(this.#conflicts.record(table.name, wireKey, 'FOREIGN_KEY', message, rowObject(violation.child, violation.values), reference, clock));
        violation.child.delete(key);
        run.touched.add(table.name);
      }
    }
  }

  /** Raises the local clock past every applied clock, keeps the seq, trims the log and saves the sender's cursor. */
  #finish(run: Run, changeset: CheckedChangeset): void {
    const last = this.#statements.lastHlc.get() as number;
    const clock = Math.max(last, run.maxHlc);
    if (run.seq > run.head || clock > last) {
      run.seq = Math.max(run.seq, run.head + 1);
      this.#statements.sentinel.run(run.seq, clock);
      this.#statements.trim.run(run.seq);
      this.#statements.folded.run(run.seq);
    }
    const { since, next, site } = changeset.wire;
    if (since === undefined || next === undefined || site === this.#sites.local) return;
    const stored = (this.#statements.peer.get(site) as number | undefined) ?? 0;
    if (since <= stored && next > stored) this.#statements.savePeer.run(site, next);
  }
}
