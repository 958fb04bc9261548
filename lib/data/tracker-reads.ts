import type Database from 'better-sqlite3';
import { PROTOCOL_VERSION, type WireChangeset } from './changeset';
import { readPage, type AnyChangeset, type PageRequest } from './read-page';
import { COMPACT_PROTOCOL, PROTOCOLS, type CompactChangeset } from './compact-schema';
import { settlingTransaction } from './prepared';
import { OwedRanking } from './owed-ranking';
import { describeSchema, diffSchemas } from './schema-fingerprint';
import { SchemaWatch } from './schema-watch';
import { databaseFileOf } from './new-site-id-fix';
import { SyncError } from '../sync-error';
import type { TableSchema } from './table-schema';
import type { TrackedTable } from './tracked-table';
import { buildParts } from './tracker-parts';
import { refuseOpenTransaction } from './open-transaction';
import { TrackerBookkeeping } from './tracker-bookkeeping';
import type { TrackerConfig } from './tracker-options';
import type { ConflictEntry, DataInfo, SchemaDescription } from './wire-schema';
import { CONFLICTS_PAGE_BYTES, type ConflictPage } from './conflict-list';

/**
 * What a `ChangeTracker` answers about its data without applying anything:
 * its site id and schema, `GET /data/info`, and pages of changes to serve or
 * push (reads fold the capture log and settle constraints first). The
 * tracker extends it with the writes: applying pages, resolving conflicts,
 * starting from a snapshot, taking a new site id.
 */
export class TrackerReads extends TrackerBookkeeping {
  /** The tracker's connection. @internal */
  protected readonly db: Database.Database;
  /** Stops reads and writes while a tracked table changed under a running server (`SCHEMA_CHANGED`). @internal */
  protected readonly schemaWatch: SchemaWatch;
  /** The wall clock, in ms. @internal */
  protected readonly now: () => number;
  readonly #schema: SchemaDescription;
  readonly #file: string | undefined;
  /** A ranking of all parked rows owed (refused by an app trigger): tried again before each fold, read and apply. @internal */
  protected readonly ranking: OwedRanking;

  /** @param schemas - the tracked tables' schemas, described once */
  protected constructor(db: Database.Database, tables: readonly TrackedTable[], schemas: readonly TableSchema[], config: TrackerConfig) {
    super(buildParts(db, tables));
    this.db = db;
    this.#file = databaseFileOf(db);
    this.now = config.now;
    this.#schema = describeSchema(schemas);
    this.schemaWatch = new SchemaWatch(db, tables, this.#schema);
    this.ranking = new OwedRanking(db, this.parts.visible);
  }

  /** This database's site id (32 hex characters). */
  get siteId(): string {
    return this.parts.sites.local;
  }

  /**
   * This database's file as an absolute path (resolved when the tracker was
   * made), for the fixes messages print; undefined for an in-memory or
   * temporary database.
   */
  get databaseFile(): string | undefined {
    return this.#file;
  }

  /** The tracked tables' names (what `GET /data/info` lists), read without folding. */
  get tableNames(): string[] {
    return [...this.parts.byName.keys()];
  }

  /** The tracked schema and its fingerprint. */
  get schema(): SchemaDescription {
    return this.#schema;
  }

  /** Folds the capture log into the clock tables now, and settles constraints (reads and applies do it themselves). @returns the local seq */
  fold(): number {
    if (!this.schemaWatch.mayFold()) return this.schemaWatch.foldedSeq(); // only inside readingStatus
    this.parts.sites.revalidate();
    try {
      this.ranking.settle();
      return settlingTransaction(this.db, () => this.parts.visible.needsSettle(), (foreignKeys) => this.parts.visible.fold(foreignKeys).seq);
    } catch (error) {
      // Refused by an app trigger, the fold is refused at every read and sync until it is fixed: `GET /status` still answers.
      if (error instanceof SyncError && error.code === 'APPLY_REFUSED' && this.schemaWatch.excuse(error)) return this.schemaWatch.foldedSeq();
      throw error;
    }
  }

  /**
   * Folds, then ranks every table's parked rows whole, in one transaction (at start, or after a new site id: see
   * `VisibleState.settleWhole`). Refused (an app trigger's RAISE), it stays owed: tried again before each later fold, read and apply.
   * @throws SyncError `APPLY_REFUSED` (409) when an app trigger refuses a move of the ranking
   */
  settleWhole(): void {
    this.ranking.ask();
  }

  /**
   * The local seq, as {@link fold} answers it, folding only when local writes wait in the log: with nothing
   * to fold it only reads, taking no write lock, so `GET /status` and `/metrics` answer while another
   * connection (a script, a migration, the sqlite3 shell) holds one, instead of waiting out the busy timeout
   * and failing. @returns the local seq
   */
  currentSeq(): number {
    if (this.schemaWatch.mayFold() && !this.ranking.owed && !this.parts.folder.pending()) return this.parts.folder.localSeq();
    return this.fold();
  }

  /**
   * How many conflicts (parked rows) there are, local writes waiting in the capture log folded first (a
   * write that freed a UNIQUE value or brought a parent back unparks its rows there).
   * @throws SyncError `SCHEMA_CHANGED` (409) while a tracked table changed under the running tracker (not inside `readingStatus`)
   */
  conflictCount(): number {
    this.currentSeq();
    return this.parts.conflicts.count();
  }

  /**
   * Conflicts (parked rows) with an id after `afterId`, in id order, at most `limit`; local writes are folded first.
   * @throws SyncError `SCHEMA_CHANGED` (409), as {@link conflictCount}
   */
  listConflicts(afterId = '', limit = 100): ConflictEntry[] {
    this.currentSeq();
    return this.parts.conflicts.list(afterId, limit);
  }

  /**
   * A page of conflicts as `GET /data/conflicts` answers it: as
   * {@link listConflicts}, and also stopped before its JSON passes
   * `maxBytes` (a single larger conflict comes alone); `more` when conflicts
   * follow its last one.
   * @throws SyncError `SCHEMA_CHANGED` (409), as {@link conflictCount}
   */
  conflictPage(afterId = '', limit = 100, maxBytes = CONFLICTS_PAGE_BYTES): ConflictPage {
    this.currentSeq();
    return this.parts.conflicts.page(afterId, limit, maxBytes);
  }

  /**
   * Calls `listener` each time a read or an apply finds the database schema changed in a way sync goes on
   * with: an app's trigger, index, view or table made or dropped (a change of a tracked table stops sync
   * instead, `SCHEMA_CHANGED`). The router warns then of an app trigger made since the start that writes on merges.
   * @internal
   */
  onSchemaMoved(listener: () => void): void {
    this.schemaWatch.onMoved(listener);
  }

  /**
   * Runs `work` (what `GET /status` and `/metrics` read) without 409 `SCHEMA_CHANGED` or a fold's `APPLY_REFUSED`:
   * while a tracked table changed, or an app trigger refuses the fold, folds answer the seq folded so far.
   * @returns work's value and that error, if any
   */
  readingStatus<T>(work: () => T): { readonly value: T; readonly problem: SyncError | undefined } {
    return this.schemaWatch.lenient(work);
  }

  /**
   * Site id, protocol, schema, current seq, tables, wall clock and instance
   * (what `GET /data/info` answers); with `asking`, how far this server holds
   * that site's changes: its pull cursor (so a peer that pushes never re-sends
   * what was pulled) and the mark that came with it (`you`), and how many of
   * this server's seqs after the asker's cursor it has yet to pull (`unpulled`:
   * not those holding only what it sent here).
   * @param askerCursor - the asker's pull cursor for this site (`seen_seq`), 0 when it holds none
   */
  info(asking?: string, askerCursor = 0): DataInfo {
    const seq = this.fold();
    const you = asking === undefined ? {} : { cursor: this.pullCursor(asking), you: this.peerView(asking), unpulled: this.unsentFrom(asking, askerCursor, seq) };
    return { site: this.siteId, protocol: PROTOCOL_VERSION, protocols: [...PROTOCOLS], schema: this.#schema, seq, tables: this.tableNames, now: this.now(), instance: this.parts.guard.instance, ...you };
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
   * @throws SyncError `UNSENDABLE_VALUE` (500) for a key that is TEXT not valid UTF-8
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
    this.refuseOpenTransaction('a page for a peer');
    return this.#readPage({ since, limit, excludeSite: site, cutBeforeEchoes: true }, protocol);
  }

  /**
   * Refuses to serve a peer once a tracked table changed while this server runs,
   * as every read and apply does: for what was read before the change and is
   * about to be served (a page read ahead). One `PRAGMA schema_version` read.
   * @throws SyncError `SCHEMA_CHANGED` (409) naming the change and the fix
   */
  refuseChangedSchema(): void {
    this.schemaWatch.check();
  }

  /**
   * Refuses to serve a peer while the app holds a transaction open on this
   * connection: what would be read or written could still roll back with it.
   * The routes, the sync client's pushes and the NATS publisher call it;
   * `readChanges` and `applyChangeset` called by the app itself do not.
   * @param what - the operation, for the message
   * @throws SyncError `IN_TRANSACTION` (409)
   */
  refuseOpenTransaction(what: string): void {
    refuseOpenTransaction(this.db, what);
  }

  #readPage(request: PageRequest, protocol: number): AnyChangeset {
    const { since, limit } = request;
    if (!Number.isSafeInteger(since) || since < 0) throw new RangeError(`since must be a non-negative integer, got ${since}`);
    if (!Number.isSafeInteger(limit) || limit < 1) throw new RangeError(`limit must be a positive integer, got ${limit}`);
    if (!PROTOCOLS.includes(protocol)) throw new RangeError(`protocol must be one of ${PROTOCOLS.join(', ')}, got ${protocol}`);
    this.schemaWatch.check();
    this.parts.sites.revalidate();
    this.ranking.settle();
    // Inside the caller's own transaction the mark is not committed yet (it may roll back): it is not noted as served then.
    const committed = !this.db.inTransaction;
    const page = settlingTransaction(this.db, () => this.parts.visible.needsSettle(), (foreignKeys) => readPage(this.parts, this.#schema, request, foreignKeys, protocol));
    if (committed && page.mark !== undefined && page.next !== undefined) this.parts.guard.noteServed(page.next, page.mark);
    return page;
  }
}
