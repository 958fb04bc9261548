import type { Router } from 'express';
import { ManifestCache } from '../lib/files/manifest-cache';
import { assembleRouter, captureData, snapshotSourceFor } from './assemble';
import { ROUTER_OPTION_NAMES, type SyncRouterOptions } from './options';
import { resolveSyncConfig } from './resolve-config';

/**
 * Builds the sync router of a server that answers its peers: mount it under
 * a prefix of your choice (`app.use('/api/sync', createSyncRouter({ token,
 * roots }))`). It sets helmet's headers, requires the shared token, serves
 * the file endpoints (`/files/checksums`, `/files/upload`, `/files/download`,
 * `DELETE /files`), the data endpoints when `database` and `tables` are given
 * (`/data/info`, `/data/changes`, `/data/conflicts`, `/data/snapshot`), `/status`, `/metrics`
 * and the status page at `/ui`, and answers every error as
 * `{ "error": { "code", "message" } }`. To also sync *with* peers, use
 * `createSyncNode`.
 * @throws TypeError when no token is given (and `allowUnauthenticatedPeers` is not true), an option has the wrong type or is unknown, or the function is passed to `app.use` uncalled
 * @throws RangeError when an option is out of range
 * @throws SyncError `CAPTURE_REFUSED` when a table in `tables` cannot be tracked (see `enableCapture`)
 */
export function createSyncRouter(options: SyncRouterOptions): Router {
  const config = resolveSyncConfig(options, ROUTER_OPTION_NAMES, 'createSyncRouter');
  const files = { roots: config.roots, policy: config.policy, cache: new ManifestCache({ watchDirectories: config.watchDirectories, logger: config.logger }) };
  const tracker = captureData(options, config.logger);
  return assembleRouter(config, { files, tracker, client: undefined, snapshots: snapshotSourceFor(options, config, tracker) });
}
