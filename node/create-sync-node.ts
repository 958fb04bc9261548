import type { Router } from 'express';
import type { ChangeTracker } from '../lib/data/change-tracker';
import { ManifestCache } from '../lib/files/manifest-cache';
import { silentLogger } from '../lib/logger';
import { resolveSyncClientOptions } from '../lib/peers/client-options';
import { SyncClient, type SyncClientOptions } from '../lib/peers/sync-client';
import { checkIntervalMs } from '../lib/peers/scheduler';
import { type SyncInterval, usableInterval } from '../lib/peers/sync-interval';
import type { PeerSyncResult } from '../lib/peers/sync-status';
import { assembleRouter, captureData, snapshotSourceFor } from './assemble';
import { NODE_OPTION_NAMES, type SyncNodeOptions } from './options';
import { resolveSyncConfig } from './resolve-config';

/** A server's whole sync: the router to mount, and the client that keeps its peers in step. */
export interface SyncNode {
  /** Mount it: `app.use('/api/sync', node.router)`. */
  readonly router: Router;
  /** The tracker over the app's database, when `database` was given. */
  readonly tracker: ChangeTracker | undefined;
  /** The sync client, when `peers` or `transport` were given. */
  readonly client: SyncClient | undefined;
  /**
   * Syncs with every peer every `intervalMs` (the first round at once),
   * backing off after failures, and starts the NATS transport, if any.
   * Does nothing without peers or transport. An interval under 1000 ms is
   * raised to 1000 ms with a warning in the log.
   * @param interval - milliseconds (`start(30_000)`), or `start({ intervalMs: 30_000 })`
   * @throws TypeError for an interval that is not a number (`"30000"`); RangeError for one that is not a positive integer
   */
  start(interval: SyncInterval): void;
  /**
   * Syncs with every peer now.
   * @throws SyncError `STOPPED` (503), as a rejection, while `stop()` runs: nothing is started
   */
  syncNow(): Promise<PeerSyncResult[]>;
  /**
   * Stops periodic syncs, lets running ones end for at most `graceMs`, then
   * abandons their requests (they end with `STOPPED`; what was applied stays).
   * Meanwhile a sync asked for (`syncNow`, `POST /run`) is refused with `STOPPED` and starts nothing.
   * @param graceMs - @defaultValue `DEFAULTS.stopGraceMs` (2 s)
   * @throws RangeError for a grace that is not a non-negative integer
   */
  stop(graceMs?: number): Promise<void>;
}

/**
 * Builds a server's sync: captures the database's tables, serves files, data
 * and status under one router, and, with `peers` (or `transport`), a
 * {@link SyncClient} that pulls, pushes and syncs files with each of them
 * (and publishes and applies pages through NATS JetStream).
 * @throws TypeError, RangeError for bad options (see `createSyncRouter`, plus `peers`, `stateDir`, `peerTimeoutMs`, `peerCa`, `syncPageSize`, `maxDeletePercent`, `transport`)
 * @throws SyncError `CAPTURE_REFUSED` when a table cannot be tracked; `STORAGE_NOT_WRITABLE` or `INSUFFICIENT_STORAGE` (507) when, without data, `stateDir` cannot keep the file-sync identity
 */
export function createSyncNode(options: SyncNodeOptions): SyncNode {
  // The client's own options first: checking them makes nothing, and a refusal must leave no root folder behind.
  if (typeof options === 'object' && options !== null && !('headers' in options)) {
    const { peers, stateDir, syncPageSize, peerTimeoutMs, peerCa, joinBySnapshot, snapshotMinChanges, peerCompression, maxDeletePercent, transport } = options;
    const early = { peers: peers ?? [], stateDir, syncPageSize, peerTimeoutMs, peerCa, joinBySnapshot, snapshotMinChanges, peerCompression, maxDeletePercent, transport, logger: silentLogger };
    resolveSyncClientOptions(Object.fromEntries(Object.entries(early).filter(([, value]) => value !== undefined)) as unknown as SyncClientOptions, true);
  }
  const config = resolveSyncConfig(options, NODE_OPTION_NAMES, 'createSyncNode');
  const files = { roots: config.roots, policy: config.policy, cache: new ManifestCache({ watchDirectories: config.watchDirectories, logger: config.logger }) };
  const clientOptions: Omit<SyncClientOptions, 'data'> = {
    peers: options.peers ?? [],
    token: config.tokens,
    files: config.roots.size > 0 ? files : undefined,
    stateDir: options.stateDir,
    syncPageSize: options.syncPageSize,
    peerTimeoutMs: options.peerTimeoutMs,
    peerCa: options.peerCa,
    joinBySnapshot: options.joinBySnapshot,
    snapshotMinChanges: options.snapshotMinChanges,
    peerCompression: options.peerCompression,
    maxDeletePercent: options.maxDeletePercent,
    logger: config.logger,
    transport: options.transport,
  };
  const hasPeers = clientOptions.peers.length > 0 || options.transport !== undefined;
  const dataComing = options.database !== undefined;
  if (hasPeers && !dataComing && clientOptions.files === undefined) {
    if (clientOptions.peers.length === 0 && options.transport?.nats !== undefined) throw new TypeError('express-sqlite-sync: `transport.nats` carries data: it needs `database` and `tables`');
    const given = clientOptions.peers.length > 0 ? '`peers`' : '`transport`';
    throw new TypeError(`express-sqlite-sync: createSyncNode has ${given} but nothing to sync: give \`database\` (with \`tables\`), \`roots\`, or both`);
  }
  // Every client option is checked before the database is touched: a refused option leaves no trigger behind.
  // Without peers there is no client, but its options are still checked: a typo must fail at start, not when a peer is added.
  if (dataComing || clientOptions.files !== undefined) resolveSyncClientOptions(clientOptions, dataComing);
  const tracker = captureData(options, config.logger);
  const client = hasPeers ? new SyncClient({ ...clientOptions, data: tracker }) : undefined;
  const router = assembleRouter(config, { files, tracker, client, snapshots: snapshotSourceFor(options, config, tracker, options.stateDir) });
  return {
    router,
    tracker,
    client,
    start: (interval) => {
      if (client !== undefined) return client.start(interval);
      checkIntervalMs(usableInterval(interval, config.logger)); // no peer to schedule, but a bad interval fails now, as it will once a peer is added
    },
    syncNow: async () => (client === undefined ? [] : client.syncAll()),
    stop: async (graceMs) => {
      await client?.stop(graceMs);
      files.cache.close(); // directory watchers; the router keeps working and re-arms them on its next scan
    },
  };
}
