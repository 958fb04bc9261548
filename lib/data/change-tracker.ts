import type Database from 'better-sqlite3';
import { applyPages, type TransportSave } from './apply-pages';
import { PROTOCOL_VERSION, type WireChangeset } from './changeset';
import { checkChangeset } from './check-changeset';
import { readPage, type AnyChangeset, type PageRequest } from './read-page';
import { COMPACT_PROTOCOL, PROTOCOLS, type CompactChangeset } from './compact-schema';
import type { ExpectedSnapshot } from './snapshot-adopt';
import { holdsNoSyncedData, importSnapshot, type ImportedSnapshot } from './snapshot-import';
import { settlingTransaction, writeTransaction } from './prepared';
import { describeSchema, diffSchemas } from './schema-fingerprint';
import { SchemaWatch } from './schema-watch';
import type { SyncError } from '../sync-error';
import { giveNewSiteId } from './site-identity';
import type { TableSchema } from './table-schema';
import type { TrackedTable } from './tracked-table';
import { buildParts } from './tracker-parts';
import { TrackerBookkeeping } from './tracker-bookkeeping';
import type { TransportCursor } from './transport-cursors';
import type { Reidentified, TrackerConfig } from './tracker-options';
import { checkResolution } from './conflict-resolver';
import type { ApplyResult, DataInfo, PeerView, SchemaDescription } from './wire-schema';

export { BULK_APPLY_CHANGES } from './apply-pages';
export { changeCount, firstRowLabel, type AnyChangeset } from './read-page';

export type { ChangeTrackerOptions, Reidentified, TrackerConfig } from './tracker-options';

/** A new site id this server took by itself, and when (ISO 8601). */
export interface IdentityChange extends Reidentified {
  readonly at: string;
}

/**
 * This server's data for sync, over one better-sqlite3 connection: reads
 * pages of changes, applies changesets (each in one transaction), keeps the
 * visible state a function of the replicated state (parked rows are the
 * conflicts), and keeps the pull and push cursor of every peer. Build it with
 * `enableCapture`. Statements are prepared once, here, each in an explicit
 * integer mode, so the connection's `defaultSafeIntegers` does not matter.
 */
export class ChangeTracker extends TrackerBookkeeping {
  readonly #db: Database.Database;
  readonly #schema: SchemaDescription;
  readonly #maxClockSkewMs: number;
  readonly #now: () => number;
  readonly #schemaWatch: SchemaWatch;

  /**
   * Set when this database file turned out to be a copy at `enableCapture`
   * (not the file its site id was last used in): it took a new site id by
   * itself (`SITE_CLONED`), before anything was captured or sent.
   */
  readonly identityChangedAtStart: Reidentified | undefined;
  #lastIdentityChange: IdentityChange | undefined;

  /** Use `enableCapture`, which checks the options and installs the capture first. */
  constructor(db: Database.Database, tables: readonly TrackedTable[], schemas: readonly TableSchema[], config: TrackerConfig, identityChangedAtStart?: Reidentified) {
    super(buildParts(db, tables));
    this.identityChangedAtStart = identityChangedAtStart;
    this.#lastIdentityChange = identityChangedAtStart === undefined ? undefined : { ...identityChangedAtStart, at: new Date(config.now()).toISOString() };
    this.#maxClockSkewMs = config.maxClockSkewMs;
    this.#now = config.now;
    this.#db = db;
    this.#schema = describeSchema(schemas);
    this.#schemaWatch = new SchemaWatch(db, tables, this.#schema);
  }

  /** This database's site id (32 hex characters). */
  get siteId(): string {
    return this.parts.sites.local;
  }

  /** The tracked schema and its fingerprint. */
  get schema(): SchemaDescription {
    return this.#schema;
  }

  /** Folds the capture log into the clock tables now, and settles constraints (reads and applies do it themselves). @returns the local seq */
  fold(): number {
    if (!this.#schemaWatch.mayFold()) return this.#schemaWatch.foldedSeq(); // only inside readingStatus
    return settlingTransaction(this.#db, () => this.parts.visible.needsSettle(), (foreignKeys) => this.parts.visible.fold(foreignKeys).seq);
  }

  /**
   * Runs `work` (what `GET /status` and `/metrics` read) without 409 `SCHEMA_CHANGED`: while a tracked table
   * changed, folds answer the seq folded so far. @returns work's value and the `SCHEMA_CHANGED` error, if any
   */
  readingStatus<T>(work: () => T): { readonly value: T; readonly problem: SyncError | undefined } {
    return this.#schemaWatch.lenient(work);
  }

  /**
   * Site id, protocol, schema, current seq, tables, wall clock and instance
   * (what `GET /data/info` answers); with `asking`, how far this server holds
   * that site's changes: its pull cursor (so a peer that pushes never re-sends
   * what was pulled) and the mark that came with it (`you`).
   */
  info(asking?: string): DataInfo {
    const you = asking === undefined ? {} : { cursor: this.pullCursor(asking), you: this.peerView(asking) };
    return { site: this.siteId, protocol: PROTOCOL_VERSION, protocols: [...PROTOCOLS], schema: this.#schema, seq: this.fold(), tables: [...this.parts.byName.keys()], now: this.#now(), instance: this.parts.guard.instance, ...you };
  }

  /** Names what differs between this tracked schema and `theirs` (a peer's), from this side: "here" and "on the sender". */
  describeSchemaDifference(theirs: SchemaDescription): string[] {
    return diffSchemas(this.#schema, theirs);
  }

  /**
   * A page of changes made after local seq `since`, oldest first, at most
   * `limit` rows (plus any new parent rows pulled forward); parked rows are
   * sent with their values. The page carries the mark of its `next`. For a
   * peer (`excludeSite`), the windows of seqs written by merging that peer's
   * own changesets are passed over (the peer has them): a page that would
   * start in one starts after it, and the parts inside later ones are left out.
   * @param excludeSite - leave out what came from this site (the peer asking)
   * @throws RangeError for a negative or non-integer `since`, or a `limit` below 1
   * @throws SyncError `UNSENDABLE_VALUE` (500) when a REAL cell holds NaN or ±Infinity
   */
  readChanges(since = 0, limit = 1000, excludeSite?: string): WireChangeset {
    return this.#readPage({ since, limit, excludeSite, cutBeforeEchoes: false }, PROTOCOL_VERSION) as WireChangeset;
  }

  /**
   * The same page as {@link readChanges}, as a compact page (protocol 2: each
   * table's columns named once, each row an array; docs/PROTOCOL.md, "The
   * compact page"). `applyChangeset` takes either. @throws as {@link readChanges}
   */
  readCompactChanges(since = 0, limit = 1000, excludeSite?: string): CompactChangeset {
    return this.#readPage({ since, limit, excludeSite, cutBeforeEchoes: false }, COMPACT_PROTOCOL) as CompactChangeset;
  }

  /**
   * The page to push to `site`: as {@link readChanges} for it, but cut before the next window of seqs
   * merging `site`'s changesets wrote (no echo), which the next page passes over; it may hold fewer than `limit` rows.
   * @param protocol - 1 (the default) or 2 for a compact page, when the peer speaks it
   * @throws as {@link readChanges}; RangeError for a protocol this code does not speak
   */
  readChangesToSend(since: number, limit: number, site: string): WireChangeset;
  readChangesToSend(since: number, limit: number, site: string, protocol: number): AnyChangeset;
  readChangesToSend(since: number, limit: number, site: string, protocol: number = PROTOCOL_VERSION): AnyChangeset {
    return this.#readPage({ since, limit, excludeSite: site, cutBeforeEchoes: true }, protocol);
  }

  #readPage(request: PageRequest, protocol: number): AnyChangeset {
    const { since, limit } = request;
    if (!Number.isSafeInteger(since) || since < 0) throw new RangeError(`since must be a non-negative integer, got ${since}`);
    if (!Number.isSafeInteger(limit) || limit < 1) throw new RangeError(`limit must be a positive integer, got ${limit}`);
    if (!PROTOCOLS.includes(protocol)) throw new RangeError(`protocol must be one of ${PROTOCOLS.join(', ')}, got ${protocol}`);
    this.#schemaWatch.check();
    // Inside the caller's own transaction the mark is not committed yet (it may roll back): it is not noted as served then.
    const committed = !this.#db.inTransaction;
    const page = settlingTransaction(this.#db, () => this.parts.visible.needsSettle(), (foreignKeys) => readPage(this.parts, this.#schema, request, foreignKeys, protocol));
    if (committed && page.mark !== undefined && page.next !== undefined) this.parts.guard.noteServed(page.next, page.mark);
    return page;
  }

  /**
   * Checks a changeset and applies it in one transaction: merges it into the
   * replicated state, then settles UNIQUE, CHECK and FOREIGN KEY. Rows a
   * constraint keeps out are parked (listed as conflicts, reported in the
   * result); anything else invalid refuses the whole changeset and leaves the database unchanged.
   * @throws SyncError 400 `INVALID_CHANGESET`, `UNSUPPORTED_PROTOCOL`, `UNKNOWN_TABLE`, `UNKNOWN_COLUMN`,
   * `INVALID_VALUE`, `UNSAFE_INTEGER`; 409 `SCHEMA_MISMATCH`, `APPLY_REFUSED` (an app trigger's RAISE); 422 `CLOCK_SKEW`, `INCOMPLETE_ROW`
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

  /** Checks every page, then merges and settles them in one transaction with foreign keys off, saving a transport's cursor at the end. */
  #applyAll(changesets: readonly unknown[], transport: TransportSave | undefined): ApplyResult[] {
    this.#schemaWatch.check();
    const context = { schema: this.#schema, tables: this.parts.byName, nowMs: this.#now(), maxClockSkewMs: this.#maxClockSkewMs };
    const checked = changesets.map((changeset) => checkChangeset(changeset, context));
    try {
      const { results, echoes } = writeTransaction(this.#db, (foreignKeys) => applyPages(this.#db, this.parts, checked, foreignKeys, transport));
      for (const window of echoes) this.parts.echo.add(window.site, window.from, window.to);
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
   * @throws SyncError `CONFLICT_NOT_FOUND` (404), `INVALID_RESOLUTION` (400), `STILL_CONFLICTS` (409: the restored row would stay parked; nothing is written)
   */
  resolveConflict(id: string, resolution: unknown): { readonly id: string; readonly action: 'discard' | 'restore'; readonly seq: number } {
    const checked = checkResolution(resolution);
    this.#schemaWatch.check();
    return writeTransaction(this.#db, (foreignKeys) => this.parts.resolver.resolve(id, checked, this.parts.visible, foreignKeys));
  }

  /** True when this database holds no synced row and no clock metadata yet: a peer's snapshot can start it. */
  holdsNoSyncedData(): boolean {
    return holdsNoSyncedData(this.#db, this.#tables());
  }

  /**
   * Starts this (empty) database from a peer's snapshot file, in place (see `importSnapshot`); the peer's cursors start at its seq.
   * @throws SyncError `SNAPSHOT_CORRUPT`, `SNAPSHOT_MISMATCH` (502), `NOT_EMPTY` (409); nothing is written then
   */
  importSnapshot(file: string, expected: ExpectedSnapshot): ImportedSnapshot {
    try {
      const imported = importSnapshot(this.#db, this.#tables(), file, expected, this.#schema.fingerprint);
      this.parts.echo.add(expected.site, imported.localSeq - imported.seq, imported.localSeq); // all the sender's: never sent back
      return imported;
    } finally {
      this.parts.sites.forget();
    }
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
    const { previous, current } = giveNewSiteId(this.#db);
    this.parts.sites.forget();
    this.parts.guard.forgetPeers();
    this.#lastIdentityChange = { ...fault, previous, current, at: new Date(this.#now()).toISOString() };
    return { ...fault, previous, current };
  }

  /** The last time this server took a new site id by itself since it started (at start, or when a peer's view of it differed), if it did. */
  get lastIdentityChange(): IdentityChange | undefined {
    return this.#lastIdentityChange;
  }
}
