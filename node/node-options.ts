import path from 'node:path';
import type { SyncRouterConfig, SyncRouterOptions } from './router-options';
import { positiveInteger, resolveSyncRouterOptions } from './router-options';

/** Options of `createSyncNode`: the router's options plus how to reach the peers. */
export interface SyncNodeOptions extends SyncRouterOptions {
  /**
   * Base URLs of the peers' sync routers, e.g. `["http://10.0.0.2:5000/api/sync"]`.
   * They are reached with `token` (the first one, when several are given).
   * @defaultValue `[]` (this server only answers)
   */
  readonly peers?: readonly string[];
  /**
   * Folder for the per-peer file-sync state (what both sides held after the
   * last sync). Keep it outside every sync root.
   * @defaultValue required when there are peers and roots
   */
  readonly stateDir?: string;
  /**
   * Milliseconds without progress before a request to a peer is abandoned.
   * @defaultValue 30000
   */
  readonly peerTimeoutMs?: number;
  /**
   * Extra CA certificates (PEM) to trust for peers with self-signed certificates.
   * @defaultValue none
   */
  readonly peerCa?: string | Buffer;
  /**
   * Rows per page when pulling from and pushing to peers (a peer may cap it: `maxChangesPageSize`).
   * @defaultValue 2000
   */
  readonly syncPageSize?: number;
}

/** The node's own settings, resolved. */
export interface SyncNodeConfig {
  readonly router: SyncRouterConfig;
  readonly peers: readonly string[];
  readonly stateDir: string | undefined;
  readonly peerTimeoutMs: number;
  readonly peerCa: string | Buffer | undefined;
  readonly syncPageSize: number;
}

const NODE_OPTIONS: ReadonlySet<string> = new Set<keyof SyncNodeOptions>(['peers', 'stateDir', 'peerTimeoutMs', 'peerCa', 'syncPageSize']);

function checkPeers(value: unknown): readonly string[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) throw new TypeError('express-sqlite-sync: `peers` must be an array of URLs');
  return value.map((peer: unknown) => {
    if (typeof peer !== 'string') throw new TypeError('express-sqlite-sync: every peer must be a URL string');
    let url: URL;
    try {
      url = new URL(peer);
    } catch {
      throw new TypeError(`express-sqlite-sync: peer ${JSON.stringify(peer)} is not a URL; write it as http://host:port/api/sync`);
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new TypeError(`express-sqlite-sync: peer ${peer} must use http or https`);
    return peer.replace(/\/+$/, '');
  });
}

/**
 * Checks the node options and applies the defaults.
 * @throws TypeError, RangeError as `createSyncRouter` does, and for bad peers or a missing `stateDir`
 */
export function resolveSyncNodeOptions(options: SyncNodeOptions): SyncNodeConfig {
  const router = resolveSyncRouterOptions(options, NODE_OPTIONS);
  const peers = checkPeers(options.peers);
  if (options.stateDir !== undefined && typeof options.stateDir !== 'string') throw new TypeError('express-sqlite-sync: `stateDir` must be a folder path');
  if (peers.length > 0 && router.roots.size > 0 && options.stateDir === undefined) {
    throw new TypeError('express-sqlite-sync: file sync with peers needs `stateDir`, a folder outside every sync root for the per-peer sync state');
  }
  const stateDir = options.stateDir === undefined ? undefined : path.resolve(options.stateDir);
  for (const [name, directory] of router.roots) {
    if (stateDir !== undefined && (stateDir === directory || stateDir.startsWith(directory + path.sep))) {
      throw new RangeError(`express-sqlite-sync: \`stateDir\` is inside the sync root "${name}"; keep it outside every root`);
    }
  }
  const ca = options.peerCa;
  if (ca !== undefined && typeof ca !== 'string' && !Buffer.isBuffer(ca)) throw new TypeError('express-sqlite-sync: `peerCa` must be PEM text or a Buffer');
  return {
    router,
    peers,
    stateDir,
    peerTimeoutMs: positiveInteger(options.peerTimeoutMs, 'peerTimeoutMs', 30_000),
    peerCa: ca,
    syncPageSize: positiveInteger(options.syncPageSize, 'syncPageSize', 2000),
  };
}
