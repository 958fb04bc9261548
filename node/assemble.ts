import { Router } from 'express';
import { enableCapture } from '../lib/data/capture';
import type { ChangeTracker } from '../lib/data/change-tracker';
import type { SyncClient } from '../lib/peers/sync-client';
import type { LocalData } from '../lib/peers/data-exchange';
import { localDataOf } from '../lib/data/local-data';
import type { ManifestCache } from '../lib/files/manifest-cache';
import { SyncError } from '../lib/sync-error';
import { bearerAuth } from '../middleware/auth';
import { syncErrorHandler } from '../middleware/errors';
import { securityHeaders } from '../middleware/security-headers';
import { createDataRouter } from '../routes/data';
import { createFilesRouter } from '../routes/files';
import type { SyncRouterConfig } from './router-options';
import { mountStatusPage } from '../routes/status-page';
import { createStatusRouter } from '../routes/status';

/** The working parts behind a router, built once by the factory. */
export interface RouterParts {
  readonly cache: ManifestCache;
  readonly tracker: ChangeTracker | undefined;
  readonly data: LocalData | undefined;
  readonly client: SyncClient | undefined;
  readonly conflictCount: () => number;
}

/** The data half of the parts: nothing without a database. */
export type DataParts = Pick<RouterParts, 'tracker' | 'data' | 'conflictCount'>;

/**
 * Captures the configured tables and wraps the tracker for the client and
 * the status routes.
 * @throws SyncError `CAPTURE_REFUSED` when a table cannot be tracked
 */
export function buildDataParts(config: SyncRouterConfig): DataParts {
  if (config.data === undefined) return { tracker: undefined, data: undefined, conflictCount: () => 0 };
  const { database, tables, maxClockSkewMs } = config.data;
  const tracker = enableCapture(database, { tables, maxClockSkewMs });
  const count = database.prepare('SELECT count(*) FROM _sync_conflicts').pluck();
  return { tracker, data: localDataOf(database, tracker), conflictCount: () => count.get() as number };
}

/**
 * Puts the sync router together: helmet (see `securityHeaders`), the public status page, the token
 * check, the file, data and status endpoints, a JSON 404 and the one error
 * middleware.
 */
export function assembleRouter(config: SyncRouterConfig, parts: RouterParts): Router {
  const router = Router();
  router.use(securityHeaders());
  mountStatusPage(router);
  if (config.tokens !== undefined) router.use(bearerAuth({ tokens: config.tokens }));
  router.use(
    '/files',
    createFilesRouter({
      roots: config.roots,
      uploadRoot: config.uploadRoot,
      policy: config.policy,
      cache: parts.cache,
      maxUploadBytes: config.maxUploadBytes,
      drain: config.drain,
    }),
  );
  if (config.data !== undefined && parts.tracker !== undefined) {
    const { maxChangesetBytes, pageSize, maxPageSize } = config.data;
    router.use('/data', createDataRouter({ tracker: parts.tracker, maxChangesetBytes, pageSize, maxPageSize }));
  }
  router.use(createStatusRouter({ client: parts.client, data: parts.data, conflictCount: parts.conflictCount }));
  router.use(function syncNotFound(req, _res, next) {
    next(new SyncError('NOT_FOUND', 404, `no sync endpoint ${req.method} ${req.path}`));
  });
  router.use(syncErrorHandler(config.logger));
  return router;
}
