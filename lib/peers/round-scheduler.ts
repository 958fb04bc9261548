import type { SyncClientConfig } from './client-options';
import type { KnownPeers } from './known-peers';
import { dataWentThrough } from './round-result';
import { SyncScheduler } from './scheduler';
import { logSyncResult } from './sync-log';
import type { PeerSyncResult } from './sync-status';

/** What the scheduler of a sync client's rounds runs, and how it names a peer in the log. */
export interface RoundSchedulerHooks {
  /** Runs one round with the peer (or transport) `url`. */
  readonly runOnce: (url: string) => Promise<PeerSyncResult>;
  /** The peer's name, for the log lines; undefined when it told none. */
  readonly nameOf: (url: string) => string | undefined;
}

/**
 * The scheduler of a sync client's rounds with `peers` (peer URLs and transport names): a round whose result is not
 * `ok` is a failure (`<code>: <message>`), backing off unless it failed only for its files while its data went through
 * (see dataWentThrough: the next one then comes at the interval, the failure shown); each round ends with its log
 * lines (see logSyncResult) and, after a success, its time kept in the state folder (`known`), a failure to keep it
 * logged as `state.write_failed`.
 */
export function roundScheduler(config: SyncClientConfig, peers: readonly string[], known: KnownPeers, hooks: RoundSchedulerHooks): SyncScheduler<PeerSyncResult> {
  return new SyncScheduler<PeerSyncResult>({
    peers,
    runOnce: hooks.runOnce,
    isFailure: (result) => (result.ok ? undefined : `${result.error?.code ?? 'ERROR'}: ${result.error?.message ?? ''}`),
    // A round that failed only for its files (see dataWentThrough) still moved the data: the next one comes at the interval, the failure shown.
    backsOff: (result) => !dataWentThrough(result),
    backoff: config.backoff,
    lastSuccessAt: (url) => known.lastSuccessAt(url),
    onSettled: (url, schedule) => {
      if (schedule.lastResult !== undefined) logSyncResult(config.logger, schedule.lastResult, hooks.nameOf(url), schedule, config.data?.lastIdentityChange, config.peerCa !== undefined);
      if (schedule.lastSuccessAt !== undefined) {
        known.noteSuccess(url, schedule.lastSuccessAt).catch((error: unknown) => config.logger.warn({ event: 'state.write_failed', err: error }, 'could not keep the last success in the state folder'));
      }
    },
  });
}
