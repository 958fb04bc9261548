import { tokenWarnings } from '../token-rules';
import type { SyncClientConfig } from './client-options';
import type { Handshake } from './data-exchange';
import type { KnownPeers } from './known-peers';
import { emptyTotals } from './metrics';
import { PeerHttp } from './peer-http';
import type { PeerState } from './peer-round';
import { SnapshotJoins } from './snapshot-joins';
import { HttpTransport } from './transport-http';

/** What the sync client's HTTP peers are told and tell back, while their states are built. */
export interface ClientPeerHooks {
  /** What the peers' sites and names were in an earlier run (`stateDir`). */
  readonly known: KnownPeers;
  /** A handshake with the peer at `url` ended (the client records it). */
  readonly handshaken: (url: string, shook: Handshake) => Promise<void>;
  /** Bytes of a snapshot download from the peer at `url` so far. */
  readonly snapshotProgress: (url: string, done: number) => void;
}

/**
 * The state the sync client keeps of each HTTP peer of `config.peers`: its link (with its token, or the
 * shared one; the tokens that may not be used are warned of once, in the log), its data transport when
 * this server syncs data, and what an earlier run remembered of it.
 */
export function buildPeerStates(config: SyncClientConfig, hooks: ClientPeerHooks): Map<string, PeerState> {
  const joins = new SnapshotJoins(config);
  const secrets = [...config.tokens, ...config.peerTokens.values()];
  const peerTokens = [...config.peerTokens];
  const warnings = tokenWarnings(peerTokens.map(([, token]) => token), (index) => `the token of peer ${peerTokens[index]?.[0] ?? ''}`);
  for (const { event, message } of warnings) config.logger.warn({ event }, message);
  const peers = new Map<string, PeerState>();
  for (const url of config.peers) {
    const http = new PeerHttp({ url, token: config.peerTokens.get(url) ?? config.token }, { peerTimeoutMs: config.peerTimeoutMs, peerCa: config.peerCa, peerCompression: config.peerCompression, secrets });
    const known = hooks.known.get(url);
    const snapshots = { joins, onProgress: (done: number) => hooks.snapshotProgress(url, done) };
    const data = config.data === undefined ? undefined : new HttpTransport(http, config.data, config.syncPageSize, (shook) => hooks.handshaken(url, shook), snapshots);
    peers.set(url, { http, data, site: known?.site, name: known?.name, handshake: undefined, lastContactAt: undefined, lagChanges: undefined, filesOnly: undefined, totals: emptyTotals() });
  }
  return peers;
}
