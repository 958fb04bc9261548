import { Router } from 'express';
import helmet from 'helmet';
import { enableCapture } from '../lib/capture';
import { ManifestCache } from '../lib/manifest-cache';
import { SyncError } from '../lib/sync-error';
import { bearerAuth } from '../middleware/auth';
import { syncErrorHandler } from '../middleware/errors';
import { createDataRouter } from './data';
import { createFilesRouter } from './files';
import { resolveSyncRouterOptions, type SyncRouterOptions } from './router-options';

/**
 * Builds the sync router: mount it under a prefix of your choice
 * (`app.use('/api/sync', createSyncRouter({ token, roots }))`). It sets
 * helmet's headers, requires the shared token, serves the file endpoints
 * (`/files/checksums`, `/files/upload`, `/files/download`), the data endpoints
 * when `database` and `tables` are given (`/data/info`, `/data/changes`), and
 * answers every error as `{ "error": { "code", "message" } }`.
 * @throws TypeError when no token is given (and `allowUnauthenticatedPeers` is not true), an option has the wrong type or is unknown, or the function is passed to `app.use` uncalled
 * @throws RangeError when an option is out of range
 * @throws SyncError `CAPTURE_REFUSED` when a table in `tables` cannot be tracked (see `enableCapture`)
 */
export function createSyncRouter(options: SyncRouterOptions): Router {
  const config = resolveSyncRouterOptions(options);
  const router = Router();
  router.use(helmet());
  if (config.tokens !== undefined) router.use(bearerAuth({ tokens: config.tokens }));
  router.use(
    '/files',
    createFilesRouter({
      roots: config.roots,
      uploadRoot: config.uploadRoot,
      policy: config.policy,
      cache: new ManifestCache(),
      maxUploadBytes: config.maxUploadBytes,
      drain: config.drain,
    }),
  );
  if (config.data !== undefined) {
    const { database, tables, maxClockSkewMs, maxChangesetBytes, pageSize, maxPageSize } = config.data;
    const tracker = enableCapture(database, { tables, maxClockSkewMs });
    router.use('/data', createDataRouter({ tracker, maxChangesetBytes, pageSize, maxPageSize }));
  }
  router.use(function syncNotFound(req, _res, next) {
    next(new SyncError('NOT_FOUND', 404, `no sync endpoint ${req.method} ${req.path}`));
  });
  router.use(syncErrorHandler(config.logger));
  return router;
}
