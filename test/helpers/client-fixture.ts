import path from 'node:path';
import { createFilePolicy } from '../../lib/files/file-policy';
import { ManifestCache } from '../../lib/files/manifest-cache';
import { resolveSyncRoots } from '../../lib/files/sync-roots';
import type { SyncClientOptions } from '../../lib/peers/client-options';
import { tempDir } from './temp';

/** The peer the option tests name (never contacted). */
export const FIXTURE_PEER = 'http://127.0.0.1:5000/api/sync';

/**
 * Registers a temp folder and a manifest cache for each test of the calling
 * `describe`, and returns a builder of SyncClient options for one peer and one
 * file root, with `extra` options (of any type: the tests check the refusals).
 */
export function filesClientOptions(): (extra: Partial<Record<keyof SyncClientOptions, unknown>>) => SyncClientOptions {
  let temp: ReturnType<typeof tempDir>;
  let cache: ManifestCache;
  beforeEach(() => {
    temp = tempDir();
    cache = new ManifestCache();
  });
  afterEach(() => {
    cache.close();
    temp.cleanup();
  });
  return (extra) =>
    ({ peers: [FIXTURE_PEER], files: { roots: resolveSyncRoots({ up: path.join(temp.dir, 'up') }), policy: createFilePolicy(), cache }, stateDir: path.join(temp.dir, 'state'), ...extra }) as SyncClientOptions;
}
