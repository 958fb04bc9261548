import { SyncError } from '../sync-error';
import type { KnownPeers } from './known-peers';
import type { PeerHttp } from './peer-http';
import type { OtherTransports } from './transport-set';

/** What a stopping sync client stops. */
export interface StoppingParts {
  /** The scheduler: its `stop()` ends periodic syncs and resolves once the running ones ended. */
  readonly scheduler: { stop(): Promise<void> };
  /** The HTTP peers' links. */
  readonly links: readonly PeerHttp[];
  readonly others: OtherTransports;
  readonly known: KnownPeers;
}

/**
 * Stops a sync client's rounds: periodic syncs end, the running rounds may end on their own for `graceMs`,
 * then their requests are abandoned (`STOPPED`) and NATS is closed; resolves once every round has ended, the
 * links are closed (and accept requests again) and the peers' last successes are saved.
 */
export async function stopRounds(parts: StoppingParts, graceMs: number): Promise<void> {
  const ended = parts.scheduler.stop();
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([ended, new Promise<void>((resolve) => (timer = setTimeout(resolve, graceMs)))]);
  clearTimeout(timer);
  for (const link of parts.links) link.abandon();
  // Closed now, not after the rounds end: a NATS round in flight is abandoned with its connection (STOPPED), as an HTTP one
  // is; and before requests are accepted again, so its catch-up cannot start a round.
  const closing = parts.others.close();
  try {
    await Promise.all([ended, closing]);
  } finally {
    for (const link of parts.links) {
      link.close();
      link.resume();
    }
  }
  await parts.known.flush(); // the last success of the rounds that just ended
}

/** The refusal of a sync asked for while `stop()` runs (`STOPPED`, 503): nothing is started. */
export function stoppingError(): SyncError {
  return new SyncError('STOPPED', 503, 'this server is stopping: no sync is started while stop() runs (nothing was run); ask again once it has started again');
}
