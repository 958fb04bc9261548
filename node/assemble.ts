import { refuseLongUrls } from '../middleware/url-length';
import type Database from 'better-sqlite3';
import { Router, type RequestHandler } from 'express';
import { enableCapture } from '../lib/data/capture';
import type { ChangeTracker } from '../lib/data/change-tracker';
import { SnapshotSource } from '../lib/data/snapshot-source';
import { tempParentOutsideRoots } from '../lib/files/temp-outside-roots';
import type { LocalFiles } from '../lib/files/local-files';
import type { SyncLogger } from '../lib/logger';
import type { SyncClient } from '../lib/peers/sync-client';
import { RefusalLog } from '../lib/refusal-log';
import { SyncError } from '../lib/sync-error';
import { tokenGate } from '../middleware/auth';
import { refuseCrossSiteWrites } from '../middleware/cross-site';
import { syncErrorHandler } from '../middleware/errors';
import { closeAfterUnreadBody, drainLimitsOf } from '../middleware/lingering-close';
import { plainJsonAnswers } from '../middleware/plain-json';
import { securityHeaders } from '../middleware/security-headers';
import { answerWrongMethods } from '../routes/allowed-methods';
import { createDataRouter } from '../routes/data';
import { createFilesRouter } from '../routes/files';
import { createFilesInfoRouter } from '../routes/files-info';
import { createFilesSettledRouter } from '../routes/files-settled';
import { mountStatusPage } from '../routes/status-page';
import { createStatusRouter } from '../routes/status';
import { warnOfTriggersWritingOnMerge } from './merge-trigger-warnings';
import type { SyncRouterOptions } from './options';
import type { SyncConfig } from './resolve-config';

/** The working parts behind a router, built once by the factory. */
export interface RouterParts {
  readonly files: LocalFiles;
  readonly tracker: ChangeTracker | undefined;
  readonly client: SyncClient | undefined;
  /** Where `GET /data/snapshot` takes snapshots from; undefined without data or with `serveSnapshots: false`. */
  readonly snapshots: SnapshotSource | undefined;
}

/**
 * The snapshot source of a router that syncs data and serves snapshots (`serveSnapshots`, checked in the config); its
 * snapshots' temp folders go in the OS temp folder, or in `stateDir` when `TMPDIR` is inside a sync root (refused without one).
 */
export function snapshotSourceFor(options: Pick<SyncRouterOptions, 'database'>, config: Pick<SyncConfig, 'serveSnapshots' | 'roots'>, tracker: ChangeTracker | undefined, stateDir?: string): SnapshotSource | undefined {
  if (tracker === undefined || options.database === undefined || !config.serveSnapshots) return undefined;
  return new SnapshotSource(options.database, tracker.tableNames, () => tempParentOutsideRoots(config.roots, stateDir));
}

/**
 * Captures the configured tables (`enableCapture` checks `database`,
 * `tables` and `maxClockSkewMs`), or nothing without a database.
 * @throws TypeError, RangeError for bad data options; SyncError `CAPTURE_REFUSED` when a table cannot be tracked
 */
export function captureData(options: Pick<SyncRouterOptions, 'database' | 'tables' | 'maxClockSkewMs'>, logger?: SyncLogger): ChangeTracker | undefined {
  const database: Database.Database | undefined = options.database;
  if (database === undefined) return undefined;
  if (options.tables === undefined) throw new TypeError('express-sqlite-sync: `database` needs `tables`: the names of the tables to sync, e.g. ["teams", "reports"]');
  const tracker = enableCapture(database, { tables: options.tables, maxClockSkewMs: options.maxClockSkewMs });
  warnIfForeignKeysOff(database, options.tables, logger);
  warnIfChecksIgnored(database, options.tables, logger);
  if (logger !== undefined) warnOfTriggersWritingOnMerge(database, options.tables, tracker, logger);
  const changed = tracker.identityChangedAtStart;
  if (changed !== undefined) {
    logger?.warn({ event: 'identity.changed', code: changed.code, previous: changed.previous, current: changed.current }, `${changed.detail}: took the new site id ${changed.current} by itself; its rows are sent again to every peer and nothing is lost; nothing to do`);
  }
  const refused = tracker.startRefusal;
  if (refused !== undefined) logger?.error({ event: 'data.refused_at_start', code: refused.code }, `data sync is stopped from the start: ${refused.message}`);
  return tracker;
}

/**
 * Warns when tracked tables have foreign keys but the connection does not
 * enforce them (SQLite's default): a write that leaves an orphan is not refused
 * (it is parked at the next sync, here as on every peer), and no `ON DELETE`
 * action runs (a deleted parent's children are parked instead).
 */
function warnIfForeignKeysOff(database: Database.Database, tables: readonly string[], logger: SyncLogger | undefined): void {
  if (logger === undefined || Number(database.prepare('SELECT * FROM pragma_foreign_keys').pluck().safeIntegers(false).get()) === 1) return;
  const withKeys = tables.filter((table) => database.prepare('SELECT 1 FROM pragma_foreign_key_list(?)').get(table) !== undefined);
  if (withKeys.length === 0) return;
  logger.warn(
    { event: 'foreign_keys.off', tables: withKeys },
    `tables ${withKeys.join(', ')} have foreign keys, but this connection does not enforce them: run db.pragma('foreign_keys = ON') before creating the router, as on every server, or an orphan written here is not refused but parked at the next sync, and a deleted parent's children are parked instead of cascaded`,
  );
}

/**
 * Warns when the connection ignores CHECK constraints (`PRAGMA ignore_check_constraints = ON`): the app's
 * writes through it skip them, so a row CHECK refuses stays visible here while every peer parks it
 * (merges enforce CHECK whatever the pragma says).
 */
function warnIfChecksIgnored(database: Database.Database, tables: readonly string[], logger: SyncLogger | undefined): void {
  if (logger === undefined || Number(database.prepare('SELECT * FROM pragma_ignore_check_constraints').pluck().safeIntegers(false).get()) !== 1) return;
  logger.warn(
    { event: 'check_constraints.ignored', tables: [...tables] },
    `this connection ignores CHECK constraints (PRAGMA ignore_check_constraints = ON): a row written here that a CHECK of ${tables.join(', ')} refuses stays visible here while peers park it; run db.pragma('ignore_check_constraints = OFF') before creating the router`,
  );
}

/** The first path segments the router serves. */
const SYNC_SEGMENTS: ReadonlySet<string> = new Set(['files', 'data', 'status', 'run', 'deletions', 'metrics', 'ui']);

/**
 * Mounted at the root (`app.use(router)`), the router answers only its own
 * paths: any other request goes on to the app's routes, untouched (no token
 * asked, no 404). Under a prefix, everything below it is the router's.
 */
const passOthersAtRoot: RequestHandler = function passOthersAtRoot(req, _res, next) {
  if (req.baseUrl !== '' || SYNC_SEGMENTS.has((req.path.split('/')[1] ?? '').toLowerCase())) {
    next();
    return;
  }
  next('router');
};

/**
 * A server that syncs files only (no `database`) answers its data paths with 404 `DATA_OFF`, not
 * `NOT_FOUND`: a peer that syncs data, or a `join`, pointed at it was told to check whether its URL
 * is the sync API, which it is (its files sync at that URL); the server has no data to sync.
 */
const refuseDataOff: RequestHandler = function refuseDataOff(req, _res, next) {
  next(new SyncError('DATA_OFF', 404, `the server at this URL syncs files only: it runs without a database (its \`database\` option), so ${req.method} /data${req.path} has no data to answer with (no pages, no snapshot); a server that syncs data, or a join, needs a peer whose database has the same tables`));
};

/**
 * Puts the sync router together: helmet (see `securityHeaders`), a URL length limit, the
 * refusal of cross-site writes (see `refuseCrossSiteWrites`), the public status page, the
 * token check, the file, data and status endpoints, a JSON 404 and the one error middleware.
 */
export function assembleRouter(config: SyncConfig, parts: RouterParts): Router {
  const router = Router();
  const refusals = new RefusalLog();
  router.use(passOthersAtRoot);
  router.use(plainJsonAnswers); // the app's `json replacer` or `json spaces` never reaches a peer
  router.use(securityHeaders());
  router.use(refuseLongUrls());
  router.use(refuseCrossSiteWrites()); // before the token: what a web page may not do never depends on it
  mountStatusPage(router);
  if (config.tokens !== undefined) router.use(tokenGate(config.tokens));
  router.use(answerWrongMethods(router)); // 405 with Allow, OPTIONS 204 with Allow: after the token, which comes first
  router.use('/files', createFilesRouter({ ...parts.files, ...config }));
  router.use('/files', createFilesInfoRouter({ site: () => parts.tracker?.siteId ?? parts.client?.filesSite, instance: () => parts.tracker?.instance ?? parts.client?.filesInstance }));
  router.use('/files', createFilesSettledRouter({ ...parts.files, client: parts.client, refusedBodyDrainBytes: config.refusedBodyDrainBytes, refusedBodyDrainMs: config.refusedBodyDrainMs, sendStallMs: config.sendStallMs, logger: config.logger }));
  if (parts.tracker !== undefined) router.use('/data', createDataRouter({ ...config, tracker: parts.tracker, snapshots: parts.snapshots, natsCoverage: () => parts.client?.streamCoverage() ?? [] }));
  else router.use('/data', refuseDataOff);
  router.use(createStatusRouter({ name: config.name, client: parts.client, tracker: parts.tracker, refusals, names: parts.files.cache.names, sendStallMs: config.sendStallMs, logger: config.logger }));
  router.use(function syncNotFound(req, _res, next) {
    next(new SyncError('NOT_FOUND', 404, `no sync endpoint ${req.method} ${req.path}`));
  });
  router.use(closeAfterUnreadBody(drainLimitsOf(config))); // a refusal never waits for (or reads) the rest of a body it did not want
  router.use(syncErrorHandler(config.logger, refusals));
  return router;
}
