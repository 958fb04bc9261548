import type { Router } from 'express';
import type { ChangeTracker } from '../lib/data/change-tracker';
import { SyncClient } from '../lib/peers/sync-client';
import { ManifestCache } from '../lib/files/manifest-cache';
import type { PeerSyncResult } from '../lib/peers/sync-status';
import { assembleRouter, buildDataParts } from './assemble';
import { resolveSyncNodeOptions, type SyncNodeOptions } from './node-options';

/** A server's whole sync: the router to mount, and the client that keeps its peers in step. */
export interface SyncNode {
  /** Mount it: `app.use('/api/sync', node.router)`. */
  readonly router: Router;
  /** The tracker over the app's database, when `database` was given. */
  readonly tracker: ChangeTracker | undefined;
  /** The sync client, when `peers` were given. */
  readonly client: SyncClient | undefined;
  /**
   * Syncs with every peer every `intervalMs` (the first round at once),
   * backing off after failures. Does nothing without peers.
   * @throws RangeError for a bad interval
   */
  start(intervalMs: number): void;
  /** Syncs with every peer now. */
  syncNow(): Promise<PeerSyncResult[]>;
  /** Stops periodic syncs and waits for running ones. */
  stop(): Promise<void>;
}

/**
 * Builds a server's sync: captures the database's tables, serves files, data
 * and status under one router, and, with `peers`, a {@link SyncClient} that
 * pulls, pushes and syncs files with each of them.
 * @throws TypeError, RangeError for bad options (see `createSyncRouter`, plus `peers`, `stateDir`)
 * @throws SyncError `CAPTURE_REFUSED` when a table cannot be tracked
 */
export function createSyncNode(options: SyncNodeOptions): SyncNode {
  const config = resolveSyncNodeOptions(options);
  const routerConfig = config.router;
  const cache = new ManifestCache({ watchDirectories: routerConfig.watchDirectories });
  const { tracker, data, conflictCount } = buildDataParts(routerConfig);
  const hasFiles = routerConfig.roots.size > 0;
  const client =
    config.peers.length === 0
      ? undefined
      : new SyncClient({
          peers: config.peers,
          token: routerConfig.tokens?.[0] ?? '',
          data,
          files: hasFiles ? { roots: routerConfig.roots, policy: routerConfig.policy, cache } : undefined,
          stateDir: config.stateDir ?? '',
          pageSize: config.syncPageSize,
          timeoutMs: config.peerTimeoutMs,
          ca: config.peerCa,
        });
  const router = assembleRouter(routerConfig, { cache, tracker, data, client, conflictCount });
  return {
    router,
    tracker,
    client,
    start: (intervalMs) => client?.start(intervalMs),
    syncNow: async () => (client === undefined ? [] : client.syncAll()),
    stop: async () => {
      await client?.stop();
      cache.close(); // directory watchers; the router keeps working and re-arms them on its next scan
    },
  };
}
