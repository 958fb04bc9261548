import type { PeerSyncResult } from '../../index';
import { syncNow } from './client';
import type { DemoServer } from './cluster';
import { allEqual, readState } from './state';

/** What one round of syncs did, summed over every server and peer. */
export interface RoundSummary {
  readonly syncs: number;
  readonly ok: number;
  readonly rowsMoved: number;
  readonly filesMoved: number;
  readonly fileConflicts: number;
  /** The first failures, as `server → peer: message`. */
  readonly failures: readonly string[];
}

function summarize(results: ReadonlyArray<{ server: DemoServer; result: PeerSyncResult }>): RoundSummary {
  const failures = results
    .filter(({ result }) => !result.ok || result.fileErrors.length > 0)
    .map(({ server, result }) => `${server.name} → ${result.peer}: ${result.error?.message ?? result.fileErrors[0]?.message ?? 'failed'}`);
  return {
    syncs: results.length,
    ok: results.filter(({ result }) => result.ok && result.fileErrors.length === 0).length,
    rowsMoved: results.reduce((sum, { result }) => sum + result.rowsPulled + result.rowsPushed, 0),
    filesMoved: results.reduce((sum, { result }) => sum + result.filesDown + result.filesUp + result.filesDeleted, 0),
    fileConflicts: results.reduce((sum, { result }) => sum + result.fileConflicts.length, 0),
    failures,
  };
}

/** One round: each server in turn syncs with all its peers (`POST /api/sync/run`). */
export async function syncRound(servers: readonly DemoServer[], token: string): Promise<RoundSummary> {
  const results: Array<{ server: DemoServer; result: PeerSyncResult }> = [];
  for (const server of servers) {
    for (const result of await syncNow(server, token)) results.push({ server, result });
  }
  return summarize(results);
}

/** A round in words: `6/6 syncs ok, 41 rows and 9 files moved, 1 file conflict`. */
export function describeRound(summary: RoundSummary): string {
  const conflicts = summary.fileConflicts === 1 ? '1 file conflict' : `${summary.fileConflicts} file conflicts`;
  return `${summary.ok}/${summary.syncs} syncs ok, ${summary.rowsMoved} rows and ${summary.filesMoved} files moved, ${conflicts}`;
}

/**
 * Runs rounds until every server holds the same rows and files after a round
 * in which every sync succeeded, or `maxRounds` have run. Calls `onRound`
 * after each. Returns true when converged.
 */
export async function syncUntilEqual(servers: readonly DemoServer[], token: string, maxRounds: number, onRound: (round: number, summary: RoundSummary) => void): Promise<boolean> {
  for (let round = 1; round <= maxRounds; round += 1) {
    const summary = await syncRound(servers, token);
    onRound(round, summary);
    if (summary.ok === summary.syncs && allEqual(servers.map(readState))) return true;
  }
  return false;
}
