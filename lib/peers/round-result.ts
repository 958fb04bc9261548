import type { RootSyncResult } from './file-exchange';
import type { FailureDescription, SyncPhase } from './peer-failure';
import { FILE_ERRORS_LISTED, type PeerSyncResult } from './sync-status';

/** What one sync with a peer has done so far. */
export interface RoundTally {
  /** The phase running now (the one a failure happened in). */
  phase: SyncPhase;
  rowsPulled: number;
  rowsPushed: number;
  dataConflicts: number;
  readonly roots: RootSyncResult[];
  /** The first root that failed as a whole; the other roots still synced. */
  filesError: FailureDescription | undefined;
}

/** Sums one sync's tally into its {@link PeerSyncResult}: its first {@link FILE_ERRORS_LISTED} file errors, and how many there were. */
export function summarizeRound(url: string, siteId: string | undefined, tally: RoundTally, durationMs: number, error: FailureDescription | undefined): PeerSyncResult {
  const { roots } = tally;
  const sum = (pick: (root: RootSyncResult) => number): number => roots.reduce((total, root) => total + pick(root), 0);
  return {
    peer: url,
    siteId,
    ok: error === undefined,
    rowsPulled: tally.rowsPulled,
    rowsPushed: tally.rowsPushed,
    filesUp: sum((root) => root.uploaded),
    filesDown: sum((root) => root.downloaded),
    filesDeleted: sum((root) => root.deletedHere + root.deletedThere),
    dataConflicts: tally.dataConflicts,
    fileConflicts: roots.flatMap((root) => root.conflicts),
    durationMs,
    error,
    fileErrors: roots.flatMap((root) => root.errors).slice(0, FILE_ERRORS_LISTED),
    fileErrorCount: sum((root) => root.errors.length),
    heldDeletions: roots.flatMap((root) => root.held),
  };
}
