import type Database from 'better-sqlite3';
import { applyPages, type TransportSave } from './apply-pages';
import { checkChangeset, refuseOwnSite } from './check-changeset';
import type { ExpectedSnapshot } from './snapshot-adopt';
import { holdsNoSyncedData, importSnapshot, type ImportedSnapshot } from './snapshot-import';
import { refuseForeignKeysInOpenTransaction } from './open-transaction';
import { writeTransaction } from './prepared';
import { giveNewSiteId } from './site-identity';
import type { TableSchema } from './table-schema';
import type { TrackedTable } from './tracked-table';
import { TrackerReads } from './tracker-reads';
import type { TransportCursor } from './transport-cursors';
import type { Reidentified, TrackerConfig } from './tracker-options';
import { checkResolution } from './conflict-resolver';
import { lacksOwnChanges } from './own-changes';
import { SyncError } from '../sync-error';
import type { ApplyResult, PeerView } from './wire-schema';

export { BULK_APPLY_CHANGES } from './apply-pages';
export { changeCount, firstRowLabel, type AnyChangeset } from './read-page';

export type { ChangeTrackerOptions, Reidentified, TrackerConfig } from './tracker-options';

/** A new site id this server took by itself, and when (ISO 8601). */
export interface IdentityChange extends Reidentified {
  readonly at: string;
}

/**
 * This server's data for sync, over one better-sqlite3 connection: reads
 * pages of changes ({@link TrackerReads}), applies changesets (each in one transaction), keeps the
 * visible state a function of the replicated state (parked rows are the
 * conflicts), and keeps the pull and push cursor of every peer. Build it with
 * `enableCapture`. Statements are prepared once, here, each in an explicit
 * integer mode, so the connection's `defaultSafeIntegers` does not matter.
 */
export class ChangeTracker extends TrackerReads {
  readonly #maxClockSkewMs: number;

  /**
   * Set when this database file turned out to be a copy at `enableCapture`
   * (not the file its site id was last used in): it took a new site id by
   * itself (`SITE_CLONED`), before anything was captured or sent.
   */
  readonly identityChangedAtStart: Reidentified | undefined;
  #lastIdentityChange: IdentityChange | undefined;
  #startRefusal: SyncError | undefined;

  /** Use `enableCapture`, which checks the options and installs the capture first. */
  constructor(db: Database.Database, tables: readonly TrackedTable[], schemas: readonly TableSchema[], config: TrackerConfig, identityChangedAtStart?: Reidentified) {
    super(db, tables, schemas, config);
    this.identityChangedAtStart = identityChangedAtStart;
    this.#lastIdentityChange = identityChangedAtStart === undefined ? undefined : { ...identityChangedAtStart, at: new Date(config.now()).toISOString() };
    this.#maxClockSkewMs = config.maxClockSkewMs;
  }

  /**
   * Checks a changeset and applies it in one transaction: merges it into the
   * replicated state, then settles UNIQUE, CHECK and FOREIGN KEY. Rows a
   * constraint keeps out are parked (listed as conflicts, reported in the
   * result); anything else invalid refuses the whole changeset and leaves the database unchanged.
   * @throws SyncError 400 `INVALID_CHANGESET`, `UNSUPPORTED_PROTOCOL`, `UNKNOWN_TABLE`, `UNKNOWN_COLUMN`,
   * `INVALID_VALUE`, `UNSAFE_INTEGER`; 409 `SCHEMA_MISMATCH`, `SAME_SITE_ID` (the page's `site` is this server's own: a clone or a loop), `APPLY_REFUSED` (an app trigger's RAISE), `IN_TRANSACTION` (called inside a transaction of your own with foreign keys enforced); 422 `CLOCK_SKEW`, `INCOMPLETE_ROW`
   */
  applyChangeset(changeset: unknown): ApplyResult {
    const [result] = this.#applyAll([changeset], undefined);
    return result as ApplyResult;
  }

  /**
   * Applies consecutive pages of one peer in one transaction, each as
   * {@link applyChangeset} does (each merged, settled and its cursor saved in
   * turn): a puller with several pages at hand commits once for all of them.
   * @throws SyncError as {@link applyChangeset} does for any page: none of them is written
   */
  applyChangesets(changesets: readonly unknown[]): ApplyResult[] {
    return this.#applyAll(changesets, undefined);
  }

  /**
   * Applies a changeset as {@link applyChangeset} does and saves a transport's
   * opaque cursor in the same transaction: the page and the position past it
   * are written together or not at all.
   * @param echo - the name of a cursor holding the local seq up to which this
   * server's changes went out on the same transport. When nothing was left to
   * send before this page, it moves past the page's own writes: what the
   * transport brought in needs no sending back on it.
   * @throws SyncError as {@link applyChangeset} does (nothing is written, the cursor does not move)
   */
  applyChangesetWithCursor(changeset: unknown, cursor: TransportCursor, echo?: string): ApplyResult {
    return this.applyChangesetsWithCursor([changeset], cursor, echo)[0] as ApplyResult;
  }

  /**
   * Applies consecutive pages in one transaction, each as {@link applyChangeset} does, and their transport's cursor with them.
   * @throws SyncError as {@link applyChangeset} does for any page: none of them is written, the cursor does not move
   */
  applyChangesetsWithCursor(changesets: readonly unknown[], cursor: TransportCursor, echo?: string): ApplyResult[] {
    return this.#applyAll(changesets, { cursor, echo });
  }

  /**
   * Whether a page under this server's own site id (one a transport passes
   * over as its own) holds a change this database never wrote: a row, a life
   * of a row or a cell under this site's id newer than anything held here.
   * Only a copy of this database that kept its site id (a clone) writes such
   * a page; this server's own pages, read back, never do. A page that does
   * not read against the tracked schema (another schema, a bad body) tells
   * nothing: false. Reads only.
   */
  lacksOwnChanges(changeset: unknown): boolean {
    this.parts.sites.revalidate();
    const context = { schema: this.schema, tables: this.parts.byName, nowMs: this.now(), maxClockSkewMs: this.#maxClockSkewMs };
    try {
      return lacksOwnChanges(checkChangeset(changeset, context), this.parts.meta, this.parts.sites);
    } catch (error) {
      if (error instanceof SyncError) return false;
      throw error;
    }
  }

  /** Checks every page, then merges and settles them in one transaction with foreign keys off, saving a transport's cursor at the end. */
  #applyAll(changesets: readonly unknown[], transport: TransportSave | undefined): ApplyResult[] {
    this.schemaWatch.check();
    refuseForeignKeysInOpenTransaction(this.db, this.#tables(), 'applyChangeset');
    this.parts.sites.revalidate();
    this.ranking.settle();
    const context = { schema: this.schema, tables: this.parts.byName, nowMs: this.now(), maxClockSkewMs: this.#maxClockSkewMs };
    const checked = changesets.map((changeset) => refuseOwnSite(checkChangeset(changeset, context), this.parts.sites.local, this.databaseFile));
    // Inside the caller's transaction the merge may still roll back, and its seqs go to later local writes then: no echo window.
    const committed = !this.db.inTransaction;
    try {
      const { results, echoes, ahead } = writeTransaction(this.db, (foreignKeys) => applyPages(this.db, this.parts, checked, foreignKeys, transport));
      if (committed) for (const window of echoes) this.parts.echo.add(window.site, window.from, window.to);
      if (committed) for (const page of ahead) this.parts.ahead.add(page);
      return results;
    } catch (error) {
      this.parts.sites.forget();
      throw error;
    }
  }

  /**
   * Resolves conflict `id` by an ordinary replicated write: `discard` deletes
   * the parked row; `restore` writes the given cells with a new clock and
   * brings the row back.
   * @throws SyncError `CONFLICT_NOT_FOUND` (404), `INVALID_RESOLUTION` (400), `STILL_CONFLICTS` (409: the restored row would stay parked; nothing is written), `IN_TRANSACTION` (409, see `applyChangeset`)
   */
  resolveConflict(id: string, resolution: unknown): { readonly id: string; readonly action: 'discard' | 'restore'; readonly seq: number } {
    const checked = checkResolution(resolution);
    this.schemaWatch.check();
    refuseForeignKeysInOpenTransaction(this.db, this.#tables(), 'resolveConflict');
    this.parts.sites.revalidate();
    this.ranking.settle();
    return writeTransaction(this.db, (foreignKeys) => this.parts.resolver.resolve(id, checked, this.parts.visible, foreignKeys));
  }

  /** True when this database holds no synced row and no clock metadata yet: a peer's snapshot can start it. */
  holdsNoSyncedData(): boolean {
    return holdsNoSyncedData(this.db, this.#tables());
  }

  /**
   * Starts this (empty) database from a peer's snapshot file, in place (see `importSnapshot`); the peer's cursors start at its seq.
   * @throws SyncError `SNAPSHOT_CORRUPT`, `SNAPSHOT_MISMATCH` (502), `NOT_EMPTY`, `SCHEMA_CHANGED` (409: a tracked table changed since the start, or a TEMP table of its name hides it), `APPLY_REFUSED` (an app trigger's RAISE), `IN_TRANSACTION` (409: the app holds a transaction open on this connection), `CLOCK_SKEW` (422: a clock further ahead than `maxClockSkewMs`); nothing is written then. An error of the settling
   * that follows the import (the parked rows ranked, as at a start: an app trigger's RAISE on a row restored) is thrown
   * with the snapshot imported, as the next start would throw it
   */
  importSnapshot(file: string, expected: ExpectedSnapshot): ImportedSnapshot {
    this.schemaWatch.check(); // as for a page: the capture triggers it makes again must be built for this table (a TEMP one of its name would take them)
    let imported: ImportedSnapshot;
    try {
      imported = importSnapshot(this.db, this.#tables(), file, expected, this.schema.fingerprint, { nowMs: this.now(), maxClockSkewMs: this.#maxClockSkewMs });
      this.parts.echo.add(expected.site, imported.localSeq - imported.seq, imported.localSeq); // all the sender's: never sent back
    } finally {
      this.parts.sites.forget();
    }
    // The parked rows came as the sender held them (an earlier version's in the form a page sent): converted to the
    // forms their columns store and ranked whole, as a start does, or they stayed apart from every peer's until a restart.
    this.settleWhole();
    return imported;
  }

  #tables(): TrackedTable[] {
    return [...this.parts.byName.values()].map((statements) => statements.table);
  }

  /**
   * Compares a peer's view of this site with this database's history; when they
   * differ (a rewound or copied file), takes a new site id by itself — its rows
   * are then sent to every peer again, and what it lost comes back.
   * @returns what was found and the new id, or undefined when the histories agree
   */
  checkOwnHistory(view: PeerView): Reidentified | undefined {
    const fault = this.parts.guard.fault(view, this.fold());
    if (fault === undefined) return undefined;
    // A rewind only went back in time; another history under this id (a copy that ran) may have made this server pass rows over.
    const { previous, current } = giveNewSiteId(this.db, { pullAgain: fault.code !== 'SITE_REWOUND' });
    this.parts.sites.forget();
    this.parts.guard.forgetPeers();
    this.settleWhole(); // this site's claims now carry the new id: where two claims tie on the clock, the order may change
    this.#lastIdentityChange = { ...fault, previous, current, at: new Date(this.now()).toISOString() };
    return { ...fault, previous, current };
  }

  /**
   * At start: {@link settleWhole} when `whole` (there are parked rows), else {@link fold}; an app trigger's refusal
   * is kept (as {@link startRefusal}) instead of thrown, so the server starts with its data sync stopped (each
   * later fold tries again and is refused the same way) until the trigger is fixed.
   */
  settleAtStart(whole: boolean): void {
    try {
      if (whole) this.settleWhole();
      else this.fold();
    } catch (error) {
      if (!(error instanceof SyncError && error.code === 'APPLY_REFUSED')) throw error;
      this.#startRefusal = error;
    }
  }

  /** An app trigger's refusal of the settling at start (the server started with its data sync stopped), if any. */
  get startRefusal(): SyncError | undefined {
    return this.#startRefusal;
  }

  /** The last time this server took a new site id by itself since it started (at start, or when a peer's view of it differed), if it did. */
  get lastIdentityChange(): IdentityChange | undefined {
    return this.#lastIdentityChange;
  }
}
