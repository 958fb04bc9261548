import type Database from 'better-sqlite3';
import { createTriggersSql, dropTriggersSql } from './capture-sql';
import { ChangeReader } from './change-reader';
import { ChangeMerger } from './change-merger';
import { checkChangeset, PROTOCOL_VERSION, type WireChangeset } from './changeset';
import { ConflictSettler } from './conflict-settler';
import { ConflictLog, type ConflictRecord } from './conflict-log';
import { ForeignKeyCheck } from './foreign-key-check';
import { LogFolder } from './log-folder';
import { MetaReader } from './meta-reader';
import { PeerCursors } from './peer-cursors';
import { EchoRanges } from './echo-ranges';
import { describeSchema, diffSchemas } from './schema-fingerprint';
import { SiteRegistry } from './site-registry';
import type { ExpectedSnapshot } from './snapshot-adopt';
import { holdsNoSyncedData, importSnapshot, type ImportedSnapshot } from './snapshot-import';
import { TableStatements } from './table-statements';
import { TransportCursors, type TransportCursor } from './transport-cursors';
import type { TableSchema } from './table-schema';
import type { TrackedTable } from './tracked-table';
import type { ApplyResult, DataInfo, SchemaDescription } from './wire-schema';

/**
 * Changesets at least this large are applied with the capture triggers set
 * aside for the transaction (a third of the cost of a bulk apply); smaller
 * ones keep them and rely on the `applying` flag, since re-creating triggers
 * makes every connection re-prepare its statements.
 */
export const BULK_APPLY_CHANGES = 1000;

/** Options of a {@link ChangeTracker}. */
export interface ChangeTrackerOptions {
  /**
   * Changes whose clock is further ahead of this server's wall time are refused.
   * @defaultValue 300000 (5 minutes)
   */
  readonly maxClockSkewMs?: number;
  /** Wall time in ms; tests pass a fixed clock. @defaultValue `Date.now` */
  readonly now?: () => number;
}

/** {@link ChangeTrackerOptions} checked once (by `enableCapture`), with the defaults applied. */
export interface TrackerConfig {
  readonly maxClockSkewMs: number;
  readonly now: () => number;
}

/**
 * This server's data for sync, over one better-sqlite3 connection: reads
 * pages of changes, applies changesets (each in one transaction), and keeps
 * the pull and push cursor of every peer. Build it with `enableCapture`.
 * Statements are prepared once, here.
 */
export class ChangeTracker {
  readonly #db: Database.Database;
  readonly #schema: SchemaDescription;
  readonly #byName: ReadonlyMap<string, TableStatements>;
  readonly #folder: LogFolder;
  readonly #sites: SiteRegistry;
  readonly #reader: ChangeReader;
  readonly #merger: ChangeMerger;
  readonly #conflicts: ConflictLog;
  readonly #cursors: PeerCursors;
  readonly #transportCursors: TransportCursors;
  readonly #maxClockSkewMs: number;
  readonly #now: () => number;
  readonly #echo: EchoRanges;

  /** Use `enableCapture`, which checks the options and installs the capture first. */
  constructor(db: Database.Database, tables: readonly TrackedTable[], schemas: readonly TableSchema[], config: TrackerConfig) {
    this.#maxClockSkewMs = config.maxClockSkewMs;
    this.#now = config.now;
    this.#db = db;
    this.#schema = describeSchema(schemas);
    const statements = tables.map((table) => new TableStatements(db, table));
    this.#byName = new Map(statements.map((entry) => [entry.table.name, entry]));
    const byId = new Map(statements.map((entry) => [entry.table.id, entry]));
    const meta = new MetaReader(db);
    this.#folder = new LogFolder(db);
    this.#sites = new SiteRegistry(db);
    this.#conflicts = new ConflictLog(db);
    this.#cursors = new PeerCursors(db);
    this.#transportCursors = new TransportCursors(db);
    this.#reader = new ChangeReader(db, byId, meta, this.#sites);
    const settler = new ConflictSettler(db, meta, this.#sites, this.#conflicts, new ForeignKeyCheck(db, statements));
    this.#merger = new ChangeMerger(db, meta, this.#sites, settler, this.#cursors);
    this.#echo = new EchoRanges(db);
  }

  /** This database's site id (32 hex characters). */
  get siteId(): string {
    return this.#sites.local;
  }

  /** The tracked schema and its fingerprint. */
  get schema(): SchemaDescription {
    return this.#schema;
  }

  /** Folds the capture log into the clock tables now (reads and applies do it themselves). @returns the local seq */
  fold(): number {
    if (this.#db.inTransaction) return this.#folder.fold();
    return this.#db.transaction(() => this.#folder.fold()).immediate();
  }

  /**
   * Site id, protocol, schema, current seq, tables and wall clock (what
   * `GET /data/info` answers); for `askingSite`, also this server's pull
   * cursor for it, so a peer that pushes never re-sends what was pulled.
   */
  info(askingSite?: string): DataInfo {
    const info: DataInfo = { site: this.siteId, protocol: PROTOCOL_VERSION, schema: this.#schema, seq: this.fold(), tables: [...this.#byName.keys()], now: this.#now() };
    return askingSite === undefined ? info : { ...info, cursor: this.#cursors.pull(askingSite) };
  }

  /** Names what differs between this tracked schema and `theirs` (a peer's), from this side: "here" and "on the sender". */
  describeSchemaDifference(theirs: SchemaDescription): string[] {
    return diffSchemas(this.#schema, theirs);
  }

  /**
   * A page of changes made after local seq `since`, oldest first, at most
   * `limit` rows (plus any new parent rows pulled forward). For a peer
   * (`excludeSite`), a page that would start in a window of seqs written by
   * merging that peer's own changesets starts after it (the peer has them).
   * @param excludeSite - leave out what came from this site (the peer asking)
   * @throws RangeError for a negative or non-integer `since`, or a `limit` below 1
   * @throws SyncError `UNSENDABLE_VALUE` (500) when a REAL cell holds NaN or ±Infinity
   */
  readChanges(since = 0, limit = 1000, excludeSite?: string): WireChangeset {
    return this.#readPage(since, limit, excludeSite, false);
  }

  /**
   * The page to push to `site`: as {@link readChanges} for it, but also cut
   * before the next window of seqs written by merging `site`'s changesets,
   * so the following page passes over it: a relay never sends a peer back
   * what it received from it (no echo). Pages may hold fewer than `limit`
   * rows; `more` says whether to go on.
   * @throws as {@link readChanges}
   */
  readChangesToSend(since: number, limit: number, site: string): WireChangeset {
    return this.#readPage(since, limit, site, true);
  }

  #readPage(since: number, limit: number, excludeSite: string | undefined, cutBeforeEchoes: boolean): WireChangeset {
    if (!Number.isSafeInteger(since) || since < 0) throw new RangeError(`since must be a non-negative integer, got ${since}`);
    if (!Number.isSafeInteger(limit) || limit < 1) throw new RangeError(`limit must be a positive integer, got ${limit}`);
    this.fold();
    const exclude = excludeSite === undefined ? undefined : this.#sites.find(excludeSite);
    const page = this.#db.transaction(() => {
      const localSeq = this.#folder.localSeq();
      const { from, rows } = this.#echo.plan(excludeSite, since, limit, exclude, cutBeforeEchoes);
      const read = this.#reader.read(from, rows, localSeq, exclude);
      const next = Math.max(read.next, this.#echo.skip(excludeSite, read.next));
      return { ...read, next, more: read.more && next < localSeq };
    })();
    return { protocol: PROTOCOL_VERSION, site: this.siteId, schema: this.#schema, since, next: page.next, more: page.more, sites: page.sites, changes: page.changes };
  }

  /**
   * Checks a changeset and applies it in one transaction with deferred
   * foreign keys. Constraint clashes no merge rule settles go to
   * `_sync_conflicts` and into the result; anything else invalid refuses the
   * whole changeset and leaves the database unchanged.
   * @throws SyncError 400 `INVALID_CHANGESET`, `UNSUPPORTED_PROTOCOL`, `UNKNOWN_TABLE`, `UNKNOWN_COLUMN`,
   * `INVALID_VALUE`, `UNSAFE_INTEGER`; 409 `SCHEMA_MISMATCH`; 422 `CLOCK_SKEW`, `INCOMPLETE_ROW`
   */
  applyChangeset(changeset: unknown): ApplyResult {
    const checked = checkChangeset(changeset, {
      schema: this.#schema,
      tables: this.#byName,
      nowMs: this.#now(),
      maxClockSkewMs: this.#maxClockSkewMs,
    });
    const bulk = checked.wire.changes.length >= BULK_APPLY_CHANGES;
    let localSeq = 0;
    try {
      const result = this.#db
        .transaction(() => {
          localSeq = this.#folder.fold();
          if (!bulk) return this.#merger.merge(checked, localSeq);
          // A large changeset is applied with the capture triggers dropped and re-created in
          // the same transaction: nobody else can write meanwhile, and a rollback restores them.
          for (const statements of this.#byName.values()) this.#db.exec(dropTriggersSql(statements.table.id));
          const merged = this.#merger.merge(checked, localSeq);
          for (const statements of this.#byName.values()) this.#db.exec(createTriggersSql(statements.table));
          return merged;
        })
        .immediate();
      // Local writes were folded first, so the seqs this merge wrote hold only the sender's parts.
      if (checked.wire.site !== this.siteId) this.#echo.add(checked.wire.site, localSeq, result.seq);
      return result;
    } catch (error) {
      this.#sites.forget();
      throw error;
    }
  }

  /** True when this database holds no synced row and no clock metadata yet: a peer's snapshot can start it. */
  holdsNoSyncedData(): boolean {
    return holdsNoSyncedData(this.#db, this.#tables());
  }

  /**
   * Starts this (empty) database from a peer's snapshot file, in place: see
   * `importSnapshot`. Afterwards the peer's cursors start at the snapshot's seq.
   * @throws SyncError `SNAPSHOT_CORRUPT`, `SNAPSHOT_MISMATCH` (502), `NOT_EMPTY` (409); nothing is written then
   */
  importSnapshot(file: string, expected: ExpectedSnapshot): ImportedSnapshot {
    try {
      const imported = importSnapshot(this.#db, this.#tables(), file, expected, this.#schema.fingerprint);
      this.#echo.add(expected.site, imported.localSeq - imported.seq, imported.localSeq); // all the sender's: never sent back
      return imported;
    } finally {
      this.#sites.forget();
    }
  }

  #tables(): TrackedTable[] {
    return [...this.#byName.values()].map((statements) => statements.table);
  }

  /** The pull cursor of `site`: its seq up to which its changes are applied here; 0 when none. */
  pullCursor(site: string): number {
    return this.#cursors.pull(site);
  }

  /** The push cursor of `site`: our seq up to which it has applied our changes; 0 when never pushed. */
  pushCursor(site: string): number {
    return this.#cursors.push(site);
  }

  /** Records that `site` applied our changes up to `seq` (a push cursor never moves back). */
  savePushCursor(site: string, seq: number): void {
    this.#cursors.savePush(site, seq);
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
   * Applies consecutive pages in one transaction, and their transport's
   * cursor with them (fewer commits when a transport has several pages at hand).
   * @throws SyncError as {@link applyChangeset} does for any page: none of them is written, the cursor does not move
   */
  applyChangesetsWithCursor(changesets: readonly unknown[], cursor: TransportCursor, echo?: string): ApplyResult[] {
    return this.#db
      .transaction(() => {
        const before = this.#folder.fold();
        const results = changesets.map((changeset) => this.applyChangeset(changeset));
        this.#transportCursors.save(cursor);
        const last = results.at(-1)?.seq ?? before;
        if (echo !== undefined && Number(this.#transportCursors.get(echo) ?? 0) >= before) this.#transportCursors.save({ name: echo, value: String(last) });
        return results;
      })
      .immediate();
  }

  /** A transport's saved cursor, or undefined when it never saved one. */
  transportCursor(name: string): string | undefined {
    return this.#transportCursors.get(name);
  }

  /** Saves (or, with `undefined`, forgets) a transport's cursor on its own, for positions no page moved (messages skipped, a reset). */
  saveTransportCursor(name: string, value: string | undefined): void {
    if (value === undefined) this.#transportCursors.drop(name);
    else this.#transportCursors.save({ name, value });
  }

  /** The last seq in the capture log, folded or not; a cheap read to poll for new local writes. */
  capturedSeq(): number {
    return this.#transportCursors.capturedSeq();
  }

  /** How many conflicts `_sync_conflicts` holds. */
  conflictCount(): number {
    return this.#conflicts.count();
  }

  /** Conflicts recorded after id `afterId`, oldest first. */
  listConflicts(afterId = 0, limit = 100): ConflictRecord[] {
    return this.#conflicts.list(afterId, limit);
  }
}
