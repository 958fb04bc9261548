import type { CatchUpOutcome } from './nats/stream-coverage';
import type { PeerState } from './peer-round';
import { dataWentThrough } from './round-result';
import type { PeerSyncResult } from './sync-status';

/**
 * Data catch-up for a transport that cannot serve this server: a sync with every HTTP peer (`syncPeer`); ok when one
 * succeeded with its data (not a peer that syncs files only), with what those peers hold of the streams.
 */
export async function catchUpOverHttp(peers: ReadonlyMap<string, PeerState>, syncPeer: (url: string) => Promise<PeerSyncResult>): Promise<CatchUpOutcome> {
  const urls = [...peers.keys()];
  // While stop() runs a sync is refused: not caught up then.
  const results = await Promise.all(urls.map((url) => syncPeer(url).catch(() => undefined)));
  // A round that failed only for its files (rights, room, a listing refused as a database, a root missing there) still pulled every row: caught up all the same.
  // A peer that syncs files only pulled none, though its round is ok: it caught nothing up.
  const caughtUp = urls.filter((url, index) => peers.get(url)?.filesOnly !== true && dataWentThrough(results[index]));
  return { ok: caughtUp.length > 0, coverage: caughtUp.flatMap((url) => peers.get(url)?.handshake?.natsCoverage ?? []) };
}
