import type Database from 'better-sqlite3';
import { createFilePolicy, type FilePolicy } from '../lib/files/file-policy';
import { createDefaultLogger, type SyncLogger } from '../lib/logger';
import { resolveSyncRoots } from '../lib/files/sync-roots';
import { checkTokens } from '../middleware/auth';
import type { DrainLimits } from '../middleware/lingering-close';

/** Options of `createSyncRouter`. Every option is optional; `undefined` means the default. */
export interface SyncRouterOptions {
  /**
   * Shared secret(s) peers send as `Authorization: Bearer <token>`; at least
   * 16 characters. Several tokens allow rotation.
   * @defaultValue none: the router refuses to start without one unless `allowUnauthenticatedPeers` is true
   */
  readonly token?: string | readonly string[];
  /**
   * Opt-out of authentication, for a trusted network or a test. Long on purpose.
   * @defaultValue `false`
   */
  readonly allowUnauthenticatedPeers?: boolean;
  /**
   * Sync roots: a name (used as the first path segment) to a directory.
   * Missing directories are created.
   * @defaultValue `{}` (no file endpoints work)
   */
  readonly roots?: Readonly<Record<string, string>>;
  /**
   * Root receiving an upload sent without `?path=`.
   * @defaultValue `"uploads"` when such a root exists, else the first root
   */
  readonly uploadRoot?: string;
  /**
   * Largest file an upload may carry, in bytes.
   * @defaultValue 512 MiB
   */
  readonly maxUploadBytes?: number;
  /**
   * File names that are databases whatever their extension (case-insensitive).
   * Replaces the default list; the extension and header rules still apply.
   * @defaultValue `["app.db", "database.db", "scouting.db"]`
   */
  readonly databaseFileNames?: readonly string[];
  /**
   * Extra picomatch globs of files never to sync; they add to the built-in rules.
   * @defaultValue `[]`
   */
  readonly extraDatabasePatterns?: readonly string[];
  /**
   * Bytes of a refused upload read after the early 403/413 answer, before the connection is cut.
   * @defaultValue 1 MiB
   */
  readonly refusedBodyDrainBytes?: number;
  /**
   * Milliseconds a refused upload's connection lingers after the answer at most.
   * @defaultValue 2000
   */
  readonly refusedBodyDrainMs?: number;
  /**
   * Keep an `fs.watch` per scanned directory so unchanged directories are
   * listed without `lstat`. Turn it off on network file systems, whose
   * changes from other machines raise no events (every directory is then
   * re-read on each scan; listings are re-read every 60 s anyway).
   * @defaultValue `true`
   */
  readonly watchDirectories?: boolean;
  /**
   * Where the router logs (a pino logger fits).
   * @defaultValue a pino logger on stdout at `LOG_LEVEL` or `info`
   */
  readonly logger?: SyncLogger;
  /**
   * The app's better-sqlite3 database: its `tables` sync as data under `/data`.
   * @defaultValue none (no data endpoints)
   */
  readonly database?: Database.Database;
  /**
   * Tables to track in `database` (text UUID/ULID primary keys); required with `database`.
   * @defaultValue none
   */
  readonly tables?: readonly string[];
  /**
   * Largest changeset a peer may POST, in bytes (413 `BODY_TOO_LARGE` above).
   * @defaultValue 16 MiB
   */
  readonly maxChangesetBytes?: number;
  /**
   * Changes whose clock is further ahead of this server's wall time are refused (422 `CLOCK_SKEW`).
   * @defaultValue 300000 (5 minutes)
   */
  readonly maxClockSkewMs?: number;
  /**
   * Rows per `GET /data/changes` page when the peer gives no `limit`.
   * @defaultValue 500
   */
  readonly changesPageSize?: number;
  /**
   * Largest `limit` a peer may ask for.
   * @defaultValue 5000
   */
  readonly maxChangesPageSize?: number;
}

/** The data options, resolved; present only when a database is given. */
export interface DataOptionsConfig {
  readonly database: Database.Database;
  readonly tables: readonly string[];
  readonly maxChangesetBytes: number;
  readonly maxClockSkewMs: number;
  readonly pageSize: number;
  readonly maxPageSize: number;
}

/** {@link SyncRouterOptions} with every default applied. */
export interface SyncRouterConfig {
  readonly tokens: readonly string[] | undefined;
  readonly roots: ReadonlyMap<string, string>;
  readonly uploadRoot: string;
  readonly maxUploadBytes: number;
  readonly policy: FilePolicy;
  readonly drain: DrainLimits;
  readonly logger: SyncLogger;
  readonly data: DataOptionsConfig | undefined;
  readonly watchDirectories: boolean;
}

const KNOWN_OPTIONS: ReadonlySet<string> = new Set<keyof SyncRouterOptions>([
  'token',
  'allowUnauthenticatedPeers',
  'roots',
  'uploadRoot',
  'maxUploadBytes',
  'databaseFileNames',
  'extraDatabasePatterns',
  'refusedBodyDrainBytes',
  'refusedBodyDrainMs',
  'logger',
  'watchDirectories',
  'database',
  'tables',
  'maxChangesetBytes',
  'maxClockSkewMs',
  'changesPageSize',
  'maxChangesPageSize',
]);

/** A positive safe integer option, or its default. @throws TypeError, RangeError naming the option */
export function positiveInteger(value: unknown, option: string, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number') throw new TypeError(`express-sqlite-sync: \`${option}\` must be a number, got ${typeof value}`);
  if (!Number.isSafeInteger(value) || value <= 0) {
    throw new RangeError(`express-sqlite-sync: \`${option}\` must be a positive integer, got ${value}`);
  }
  return value;
}

function resolveTokens(options: SyncRouterOptions): readonly string[] | undefined {
  const optOut = options.allowUnauthenticatedPeers;
  if (optOut !== undefined && typeof optOut !== 'boolean') {
    throw new TypeError('express-sqlite-sync: `allowUnauthenticatedPeers` must be a boolean');
  }
  if (options.token === undefined) {
    if (optOut === true) return undefined;
    throw new TypeError(
      'express-sqlite-sync: no `token` given. Pass `token` (a shared secret of 16+ characters, e.g. from `openssl rand -hex 32`), or `allowUnauthenticatedPeers: true` to run without authentication.',
    );
  }
  const token: unknown = options.token;
  return checkTokens(Array.isArray(token) ? token : [token]);
}

function resolveUploadRoot(value: unknown, roots: ReadonlyMap<string, string>): string {
  if (value !== undefined && typeof value !== 'string') throw new TypeError('express-sqlite-sync: `uploadRoot` must be a root name');
  const name = value ?? (roots.has('uploads') ? 'uploads' : ([...roots.keys()][0] ?? ''));
  if (roots.size > 0 && !roots.has(name)) {
    throw new RangeError(`express-sqlite-sync: \`uploadRoot\` "${name}" is not one of the roots (${[...roots.keys()].join(', ')})`);
  }
  return name;
}

function resolveData(options: SyncRouterOptions): DataOptionsConfig | undefined {
  const { database, tables } = options;
  if (database === undefined) {
    if (tables !== undefined) throw new TypeError('express-sqlite-sync: `tables` needs `database` (a better-sqlite3 Database) too');
    return undefined;
  }
  if (typeof database !== 'object' || database === null || typeof (database as { prepare?: unknown }).prepare !== 'function') {
    throw new TypeError('express-sqlite-sync: `database` must be a better-sqlite3 Database (new Database(file))');
  }
  if (!Array.isArray(tables) || tables.length === 0 || tables.some((name) => typeof name !== 'string')) {
    throw new TypeError('express-sqlite-sync: `database` needs `tables`: the names of the tables to sync, e.g. ["teams", "reports"]');
  }
  const skew = options.maxClockSkewMs;
  if (skew !== undefined && (typeof skew !== 'number' || !Number.isSafeInteger(skew) || skew < 0)) {
    throw new RangeError(`express-sqlite-sync: \`maxClockSkewMs\` must be a non-negative integer, got ${String(skew)}`);
  }
  const maxPageSize = positiveInteger(options.maxChangesPageSize, 'maxChangesPageSize', 5000);
  const pageSize = positiveInteger(options.changesPageSize, 'changesPageSize', Math.min(500, maxPageSize));
  if (pageSize > maxPageSize) throw new RangeError(`express-sqlite-sync: \`changesPageSize\` (${pageSize}) is above \`maxChangesPageSize\` (${maxPageSize})`);
  return {
    database,
    tables: [...(tables as readonly string[])],
    maxChangesetBytes: positiveInteger(options.maxChangesetBytes, 'maxChangesetBytes', 16 * 1024 * 1024),
    maxClockSkewMs: skew ?? 300_000,
    pageSize,
    maxPageSize,
  };
}

function resolveBoolean(value: unknown, option: string, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean') throw new TypeError(`express-sqlite-sync: \`${option}\` must be a boolean`);
  return value;
}

function isRequestLike(value: unknown): boolean {
  return typeof value === 'object' && value !== null && 'headers' in value && 'method' in value && 'socket' in value;
}

/**
 * Checks the router options and applies the defaults. `moreKnownOptions`
 * names the options a caller building on the router (the sync node) reads
 * itself.
 * @throws TypeError for a wrong type, a missing token, an unknown option or a call by Express as middleware
 * @throws RangeError for a value out of range
 */
export function resolveSyncRouterOptions(options: SyncRouterOptions | undefined, moreKnownOptions: ReadonlySet<string> = new Set()): SyncRouterConfig {
  if (isRequestLike(options)) {
    throw new TypeError('express-sqlite-sync: createSyncRouter is a factory; write app.use("/api/sync", createSyncRouter({ ... })), not app.use(createSyncRouter)');
  }
  if (typeof options !== 'object' || options === null) throw new TypeError('express-sqlite-sync: createSyncRouter needs an options object');
  const unknown = Object.keys(options).filter((key) => !KNOWN_OPTIONS.has(key) && !moreKnownOptions.has(key));
  if (unknown.length > 0) {
    throw new TypeError(`express-sqlite-sync: unknown option(s) ${unknown.join(', ')}; known options: ${[...KNOWN_OPTIONS, ...moreKnownOptions].join(', ')}`);
  }
  const roots = resolveSyncRoots(options.roots ?? {});
  return {
    tokens: resolveTokens(options),
    roots,
    uploadRoot: resolveUploadRoot(options.uploadRoot, roots),
    maxUploadBytes: positiveInteger(options.maxUploadBytes, 'maxUploadBytes', 512 * 1024 * 1024),
    policy: createFilePolicy({ databaseFileNames: options.databaseFileNames, extraPatterns: options.extraDatabasePatterns }),
    drain: {
      maxBytes: positiveInteger(options.refusedBodyDrainBytes, 'refusedBodyDrainBytes', 1024 * 1024),
      maxMs: positiveInteger(options.refusedBodyDrainMs, 'refusedBodyDrainMs', 2000),
    },
    logger: options.logger ?? createDefaultLogger(),
    data: resolveData(options),
    watchDirectories: resolveBoolean(options.watchDirectories, 'watchDirectories', true),
  };
}
