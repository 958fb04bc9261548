import { Router } from 'express';
import helmet from 'helmet';
import { ManifestCache } from '../lib/manifest-cache';
import { SyncError } from '../lib/sync-error';
import { bearerAuth } from '../middleware/auth';
import { syncErrorHandler } from '../middleware/errors';
import { createFilesRouter } from './files';
import { resolveSyncRouterOptions, type SyncRouterOptions } from './router-options';

/**
 * Builds the sync router: mount it under a prefix of your choice
 * (`app.use('/api/sync', createSyncRouter({ token, roots }))`). It sets
 * helmet's headers, requires the shared token, serves the file endpoints
 * (`/files/checksums`, `/files/upload`, `/files/download`) and answers every
 * error as `{ "error": { "code", "message" } }`.
 * @throws TypeError when no token is given (and `allowUnauthenticatedPeers` is not true), an option has the wrong type or is unknown, or the function is passed to `app.use` uncalled
 * @throws RangeError when an option is out of range
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
  router.use(function syncNotFound(req, _res, next) {
    next(new SyncError('NOT_FOUND', 404, `no sync endpoint ${req.method} ${req.path}`));
  });
  router.use(syncErrorHandler(config.logger));
  return router;
}
