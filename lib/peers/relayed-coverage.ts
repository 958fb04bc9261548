import type { StreamCoverage } from './nats/stream-coverage';
import type { PeerState } from './peer-round';

/**
 * What this server holds of each NATS stream, as `GET /data/info` answers it (`nats`): what it read of the
 * stream itself, and what an HTTP peer answered it holds when this server pulled everything that peer had
 * since that answer (its last handshake, then a pull to the end, or nothing to pull): an HTTP-only hub
 * between NATS servers holds what they read, and a catch-up through it is complete, not `CATCH_UP_INCOMPLETE`.
 * One entry per stream as made (`stream`, `created`), the furthest.
 */
export function streamCoverageWithRelayed(own: readonly StreamCoverage[], peers: Iterable<PeerState>): StreamCoverage[] {
  const relayed = [...peers].flatMap((peer) => (peer.lagChanges === 0 ? (peer.handshake?.natsCoverage ?? []) : []));
  const furthest = new Map<string, StreamCoverage>();
  for (const entry of [...own, ...relayed]) {
    const key = JSON.stringify([entry.stream, entry.created]);
    const before = furthest.get(key);
    if (before === undefined || entry.seq > before.seq) furthest.set(key, { stream: entry.stream, created: entry.created, seq: entry.seq });
  }
  return [...furthest.values()];
}
