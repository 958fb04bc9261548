import type { ChangeTracker } from '../data/change-tracker';
import type { Handshake } from './data-exchange';
import { peerStateOf } from './failure-codes';
import type { PeerSchedule } from './scheduler';
import type { HeldDeletion, PeerStatus, PeerSyncResult } from './sync-status';

/** What the sync client keeps of one peer between syncs. */
export interface PeerMemory {
  /** The peer's site id: from this run's last handshake, or remembered from an earlier run. */
  site: string | undefined;
  /** The peer's name, likewise. */
  name: string | undefined;
  /** The last handshake of this run. */
  handshake: Handshake | undefined;
  /** Epoch ms of the last handshake of this run. */
  lastContactAt: number | undefined;
  /** The peer's changes beyond our cursor at the last contact. */
  lagChanges: number | undefined;
  /** True once a handshake answered `DATA_OFF` (the peer runs without a database), false once one went through; undefined before. */
  filesOnly: boolean | undefined;
}

function iso(epochMs: number | undefined): string | null {
  return epochMs === undefined ? null : new Date(epochMs).toISOString();
}

/**
 * This server's changes the peer has not applied: our seq beyond its push cursor (0 when it has them all),
 * less what the peer itself sent here (see `ChangeTracker.undeliveredTo`);
 * for a peer never reached (no site id known), every change: its push cursor is 0.
 */
function undelivered(data: ChangeTracker | undefined, localSeq: number | undefined, site: string | undefined): number | null {
  if (data === undefined || localSeq === undefined) return null;
  return site === undefined ? Math.max(0, localSeq) : data.undeliveredTo(site, localSeq);
}

/**
 * One peer as `GET /status` shows it: name, state, last success and
 * contact, failures and next retry, changes not yet received from it and
 * not yet delivered to it, clock skew, held deletions and the last result;
 * what is not known yet is `null`, so every field is in the JSON.
 */
export function peerStatusOf(
  url: string,
  memory: PeerMemory,
  schedule: Readonly<PeerSchedule<PeerSyncResult>> | undefined,
  data: { readonly tracker: ChangeTracker | undefined; readonly localSeq: number | undefined },
  held: readonly HeldDeletion[],
): PeerStatus {
  const failureCode = schedule?.lastError === undefined ? undefined : (schedule.lastResult?.error?.code ?? 'SYNC_FAILED');
  return {
    url,
    name: memory.name ?? null,
    siteId: memory.site ?? null,
    state: peerStateOf(schedule?.running ?? false, schedule?.lastSuccessAt, failureCode),
    running: schedule?.running ?? false,
    lastSuccessAt: iso(schedule?.lastSuccessAt),
    lastError: schedule?.lastError ?? null,
    lastErrorCode: failureCode ?? null,
    failures: schedule?.failures ?? 0,
    nextRunAt: iso(schedule?.nextRunAt),
    backingOff: (schedule?.backoffFailures ?? 0) > 0 && schedule?.nextRunAt !== undefined,
    lastContactAt: iso(memory.lastContactAt),
    // A peer that syncs files only gives and takes no data: no count of changes it will never send or take
    // (the figures of its last data handshake, before it turned so, are of a side it no longer has).
    lagChanges: memory.filesOnly === true ? null : (memory.lagChanges ?? null),
    undeliveredChanges: memory.filesOnly === true ? null : undelivered(data.tracker, data.localSeq, memory.site),
    filesOnly: memory.filesOnly ?? null,
    clockSkewMs: memory.filesOnly === true ? null : (memory.handshake?.clockSkewMs ?? null), // measured by a data handshake, as lagChanges
    heldDeletions: held.filter((entry) => entry.peer === url),
    lastResult: schedule?.lastResult ?? null,
  };
}
