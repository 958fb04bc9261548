import { DEFAULTS } from '../lib/defaults';
import { createFilePolicy, refuseNegatedPatterns, type FilePolicy } from '../lib/files/file-policy';
import { resolveSyncRoots, syncRootEntries } from '../lib/files/sync-roots';
import { resolveLogger, type SyncLogger } from '../lib/logger';
import { hasHiddenCharacter } from '../lib/hidden-characters';
import { booleanOption, positiveInteger, refuseUnknownOptions, stringList } from '../lib/option-checks';
import { checkTokens } from '../middleware/auth';
import { tokenWarnings } from '../lib/token-rules';
import type { DrainLimits } from '../middleware/lingering-close';
import type { SyncRouterOptions } from './options';

/**
 * The router's options, each checked once here and defaulted from
 * `DEFAULTS`, under the same names as the options. The data options
 * (`database`, `tables`, `maxClockSkewMs`) are checked by `enableCapture`,
 * and the peers' options by the `SyncClient`: each part owns its checks.
 */
export interface SyncConfig extends DrainLimits {
  /** Accepted tokens; undefined only with `allowUnauthenticatedPeers: true`. */
  readonly tokens: readonly string[] | undefined;
  readonly roots: ReadonlyMap<string, string>;
  readonly uploadRoot: string;
  readonly maxUploadBytes: number;
  readonly policy: FilePolicy;
  readonly logger: SyncLogger;
  /** This server's name for people, when it has one. */
  readonly name: string | undefined;
  readonly watchDirectories: boolean;
  /** Ms an answer may go without its client taking a byte before it is abandoned (files, pages and snapshots alike). */
  readonly sendStallMs: number;
  readonly maxChangesetBytes: number;
  readonly changesPageSize: number;
  readonly maxChangesPageSize: number;
  readonly serveSnapshots: boolean;
}

function resolveTokens(options: SyncRouterOptions): readonly string[] | undefined {
  const optOut = booleanOption(options.allowUnauthenticatedPeers, 'allowUnauthenticatedPeers', false);
  if (options.token === undefined) {
    if (optOut) return undefined;
    throw new TypeError(
      'express-sqlite-sync: no `token` given. Pass `token` (a shared secret, 16+ characters, e.g. from `openssl rand -hex 32`), or `allowUnauthenticatedPeers: true` to run without authentication.',
    );
  }
  const token: unknown = options.token;
  return checkTokens(Array.isArray(token) ? token : [token]);
}

function resolveUploadRoot(value: unknown, roots: ReadonlyMap<string, string>): string {
  if (value !== undefined && typeof value !== 'string') throw new TypeError('express-sqlite-sync: `uploadRoot` must be a root name');
  if (value !== undefined && roots.size === 0) {
    throw new RangeError(`express-sqlite-sync: \`uploadRoot\` "${value}" names a root, but no \`roots\` are given: give \`roots\` (with a "${value}" root) or leave \`uploadRoot\` out`);
  }
  const name = value ?? (roots.has('uploads') ? 'uploads' : ([...roots.keys()][0] ?? ''));
  if (roots.size > 0 && !roots.has(name)) {
    throw new RangeError(`express-sqlite-sync: \`uploadRoot\` "${name}" is not one of the roots (${[...roots.keys()].join(', ')})`);
  }
  return name;
}

function resolvePageSizes(options: SyncRouterOptions): Pick<SyncConfig, 'changesPageSize' | 'maxChangesPageSize'> {
  const maxChangesPageSize = positiveInteger(options.maxChangesPageSize, 'maxChangesPageSize', DEFAULTS.maxChangesPageSize);
  const changesPageSize = positiveInteger(options.changesPageSize, 'changesPageSize', Math.min(DEFAULTS.changesPageSize, maxChangesPageSize));
  if (changesPageSize > maxChangesPageSize) {
    throw new RangeError(`express-sqlite-sync: \`changesPageSize\` (${changesPageSize}) is above \`maxChangesPageSize\` (${maxChangesPageSize})`);
  }
  return { changesPageSize, maxChangesPageSize };
}

function resolveName(value: unknown): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw new TypeError(`express-sqlite-sync: \`name\` must be a string, got ${typeof value}`);
  const name = value.trim();
  if (name === '' || name.length > 100) throw new RangeError(`express-sqlite-sync: \`name\` must be 1-100 characters, got ${JSON.stringify(value)}`);
  if (hasHiddenCharacter(name)) {
    throw new RangeError(`express-sqlite-sync: \`name\` must not hold control characters, invisible or text-direction marks (it is shown on status pages and terminals), got ${JSON.stringify(value)}`);
  }
  return name;
}

/** How the factory's result is mounted: the router itself, or a node's `.router`. */
function mountHint(factory: string): string {
  return factory === 'createSyncNode' ? 'const node = createSyncNode({ ... }); app.use("/api/sync", node.router)' : `app.use("/api/sync", ${factory}({ ... }))`;
}

function isRequestLike(value: unknown): boolean {
  return typeof value === 'object' && value !== null && 'headers' in value && 'method' in value && 'socket' in value;
}

/**
 * Checks the router's options once and applies the defaults.
 * @param known - the option names the calling factory accepts (the node accepts the client's too)
 * @param factory - the factory's name, for the messages
 * @throws TypeError for a wrong type, a missing token, an unknown option or a call by Express as middleware
 * @throws RangeError for a value out of range
 */
export function resolveSyncConfig(options: SyncRouterOptions | undefined, known: ReadonlySet<string>, factory: string): SyncConfig {
  if (isRequestLike(options)) {
    throw new TypeError(`express-sqlite-sync: ${factory} is a factory; write ${mountHint(factory)}, not app.use(${factory})`);
  }
  if (typeof options !== 'object' || options === null || Array.isArray(options)) throw new TypeError(`express-sqlite-sync: ${factory} needs an options object`);
  refuseUnknownOptions(options, known, factory);
  if (options.database === undefined) {
    const dataOnly = (['tables', 'maxClockSkewMs', 'changesPageSize', 'maxChangesPageSize', 'maxChangesetBytes', 'serveSnapshots'] as const).find((name) => options[name] !== undefined);
    if (dataOnly !== undefined) throw new TypeError(`express-sqlite-sync: \`${dataOnly}\` needs \`database\` (a better-sqlite3 Database) too`);
  }
  if (options.roots === null) throw new TypeError('express-sqlite-sync: `roots` must be an object (root name to directory), got null');
  // Every check that writes nothing comes first: a refused option must leave no folder behind.
  const checked = {
    tokens: resolveTokens(options),
    maxUploadBytes: positiveInteger(options.maxUploadBytes, 'maxUploadBytes', DEFAULTS.maxUploadBytes),
    // Checked under the router's own option name first; the policy knows it as `extraPatterns`.
    policy: createFilePolicy({ databaseFileNames: options.databaseFileNames, extraPatterns: routerPatterns(options.extraDatabasePatterns) }),
    refusedBodyDrainBytes: positiveInteger(options.refusedBodyDrainBytes, 'refusedBodyDrainBytes', DEFAULTS.refusedBodyDrainBytes),
    refusedBodyDrainMs: positiveInteger(options.refusedBodyDrainMs, 'refusedBodyDrainMs', DEFAULTS.refusedBodyDrainMs),
    logger: resolveLogger(options.logger),
    name: resolveName(options.name),
    watchDirectories: booleanOption(options.watchDirectories, 'watchDirectories', DEFAULTS.watchDirectories),
    sendStallMs: positiveInteger(options.sendStallMs, 'sendStallMs', DEFAULTS.sendStallMs),
    maxChangesetBytes: positiveInteger(options.maxChangesetBytes, 'maxChangesetBytes', DEFAULTS.maxChangesetBytes),
    serveSnapshots: booleanOption(options.serveSnapshots, 'serveSnapshots', DEFAULTS.serveSnapshots),
    ...resolvePageSizes(options),
  };
  for (const { event, message } of tokenWarnings(checked.tokens ?? [])) checked.logger.warn({ event }, message);
  resolveUploadRoot(options.uploadRoot, new Map(syncRootEntries(options.roots ?? {}).map(([name]) => [name, name])));
  const roots = resolveSyncRoots(options.roots ?? {});
  return { ...checked, roots, uploadRoot: resolveUploadRoot(options.uploadRoot, roots) };
}

/** `extraDatabasePatterns` checked under the router's name (the policy knows it as `extraPatterns`). */
function routerPatterns(patterns: unknown): readonly string[] | undefined {
  if (patterns === undefined) return undefined;
  const list = stringList(patterns, 'extraDatabasePatterns');
  refuseNegatedPatterns(list, 'extraDatabasePatterns');
  return list;
}
