import type Database from 'better-sqlite3';
import { createTriggersSql, dropTriggersSql } from './capture-sql';
import { ChangeReader } from './change-reader';
import { ChangeMerger, type MergeResult } from './change-merger';
import { checkChangeset, PROTOCOL_VERSION, type WireChangeset } from './changeset';
import { ConflictSettler } from './conflict-settler';
import { ConflictLog, type ConflictRecord } from './conflict-log';
import { ForeignKeyCheck } from './foreign-key-check';
import { LogFolder } from './log-folder';
import { MetaReader } from './meta-reader';
import { describeSchema, type SchemaDescription } from './schema-fingerprint';
import { SiteRegistry } from './site-registry';
import { TableStatements } from './table-statements';
import type { TableSchema } from './table-schema';
import type { TrackedTable } from './tracked-table';

/**
 * Changesets at least this large are applied with the capture triggers set
 * aside for the transaction (a third of the cost of a bulk apply); smaller
 * ones keep them and rely on the `applying` flag, since re-creating triggers
 * makes every connection re-prepare its statements.
 */
export const BULK_APPLY_CHANGES = 1000;

/** Default of {@link ChangeTrackerOptions.maxClockSkewMs}: 5 minutes. */
export const DEFAULT_MAX_CLOCK_SKEW_MS = 5 * 60 * 1000;

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

/** What `GET /data/info` answers. */
export interface DataInfo {
  /** This database's 128-bit site id, as 32 hex characters. */
  readonly site: string;
  readonly protocol: number;
  /** The tracked schema and its fingerprint. */
  readonly schema: SchemaDescription;
  /** The current local seq: the cursor a peer that has everything would hold. */
  readonly seq: number;
  /** Tracked table names. */
  readonly tables: readonly string[];
}

/** The result of applying a changeset. */
export interface ApplyResult extends MergeResult {
  /** Changes received. */
  readonly received: number;
}

/**
 * The data-sync core over one better-sqlite3 connection: reads pages of
 * changes and applies changesets, each in one transaction. Build it with
 * `enableCapture`. Statements are prepared once, here.
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
  readonly #peer: Database.Statement;
  readonly #maxClockSkewMs: number;
  readonly #now: () => number;

  /**
   * Use `enableCapture`, which installs the capture first.
   * @throws RangeError when `maxClockSkewMs` is not a non-negative integer
   */
  constructor(db: Database.Database, tables: readonly TrackedTable[], schemas: readonly TableSchema[], options: ChangeTrackerOptions = {}) {
    const skew = options.maxClockSkewMs ?? DEFAULT_MAX_CLOCK_SKEW_MS;
    if (!Number.isSafeInteger(skew) || skew < 0) throw new RangeError(`express-sqlite-sync: \`maxClockSkewMs\` must be a non-negative integer, got ${skew}`);
    this.#maxClockSkewMs = skew;
    this.#now = options.now ?? Date.now;
    this.#db = db;
    this.#schema = describeSchema(schemas);
    const statements = tables.map((table) => new TableStatements(db, table));
    this.#byName = new Map(statements.map((entry) => [entry.table.name, entry]));
    const byId = new Map(statements.map((entry) => [entry.table.id, entry]));
    const meta = new MetaReader(db);
    this.#folder = new LogFolder(db);
    this.#sites = new SiteRegistry(db);
    this.#conflicts = new ConflictLog(db);
    this.#reader = new ChangeReader(db, byId, meta, this.#sites);
    this.#merger = new ChangeMerger(db, meta, this.#sites, new ConflictSettler(db, meta, this.#sites, this.#conflicts, new ForeignKeyCheck(db, statements)));
    this.#peer = db.prepare('SELECT seq FROM _sync_peers WHERE site = ?').pluck();
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

  /** Site id, protocol, schema, current seq and tables. */
  info(): DataInfo {
    return { site: this.siteId, protocol: PROTOCOL_VERSION, schema: this.#schema, seq: this.fold(), tables: [...this.#byName.keys()] };
  }

  /**
   * A page of changes made after local seq `since`, oldest first, at most
   * `limit` rows (plus any new parent rows pulled forward).
   * @param excludeSite - leave out what came from this site (the peer asking)
   * @throws RangeError for a negative or non-integer `since`, or a `limit` below 1
   * @throws SyncError `UNSENDABLE_VALUE` (500) when a REAL cell holds NaN or ±Infinity
   */
  readChanges(since = 0, limit = 1000, excludeSite?: string): WireChangeset {
    if (!Number.isSafeInteger(since) || since < 0) throw new RangeError(`since must be a non-negative integer, got ${since}`);
    if (!Number.isSafeInteger(limit) || limit < 1) throw new RangeError(`limit must be a positive integer, got ${limit}`);
    this.fold();
    const exclude = excludeSite === undefined ? undefined : this.#sites.find(excludeSite);
    const page = this.#db.transaction(() => this.#reader.read(since, limit, this.#folder.folded(), exclude))();
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
    try {
      const result = this.#db
        .transaction(() => {
          const head = this.#folder.fold();
          if (!bulk) return this.#merger.merge(checked, head);
          // A large changeset is applied with the capture triggers dropped and re-created in
          // the same transaction: nobody else can write meanwhile, and a rollback restores them.
          for (const statements of this.#byName.values()) this.#db.exec(dropTriggersSql(statements.table.id));
          const merged = this.#merger.merge(checked, head);
          for (const statements of this.#byName.values()) this.#db.exec(createTriggersSql(statements.table));
          return merged;
        })
        .immediate();
      return { received: checked.wire.changes.length, ...result };
    } catch (error) {
      this.#sites.forget();
      throw error;
    }
  }

  /** The cursor (the sender's seq) up to which changes from `site` have been applied here; 0 when none. */
  cursorFor(site: string): number {
    return (this.#peer.get(site) as number | undefined) ?? 0;
  }

  /** Conflicts recorded after id `afterId`, oldest first. */
  listConflicts(afterId = 0, limit = 100): ConflictRecord[] {
    return this.#conflicts.list(afterId, limit);
  }
}
