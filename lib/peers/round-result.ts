import type { RootSyncResult } from './file-exchange';
import { type FailureDescription, type SyncPhase } from './peer-failure';
import { LASTING_ROOT_FAILURE_CODES, STORAGE_FAILURE_CODES } from './failure-codes';
import { FILE_ERRORS_LISTED, type PeerSyncResult, type RoundWarning } from './sync-status';

/** What one sync with a peer has done so far. */
export interface RoundTally {
  /** The phase running now (the one a failure happened in). */
  phase: SyncPhase;
  rowsPulled: number;
  rowsPushed: number;
  dataConflicts: number;
  readonly roots: RootSyncResult[];
  /** The first root that failed as a whole (the other roots still synced), or a later one that found the peer gone (see `noteFilesError`). */
  filesError: FailureDescription | undefined;
}

/**
 * The failure of a round whose file steps failed for want of rights or room ({@link STORAGE_FAILURE_CODES}):
 * the first such step's code, with its path and how many steps failed; none when no step failed so.
 */
function storageFailureOf(roots: readonly RootSyncResult[]): FailureDescription | undefined {
  const errors = roots.flatMap((root) => root.errors);
  const first = errors.find((entry) => STORAGE_FAILURE_CODES.has(entry.code));
  if (first === undefined) return undefined;
  const steps = errors.length === 1 ? '1 file step failed' : `${errors.length} file steps failed`;
  return { code: first.code, message: `${steps} (see fileErrors), ${first.path}: ${first.message}` };
}

/** A warning per root the peer does not have (it answered `UNKNOWN_ROOT`: the root was skipped). */
function unknownRootWarnings(roots: readonly RootSyncResult[]): RoundWarning[] {
  return roots
    .filter((root) => root.skipped)
    .map((root) => ({
      code: 'UNKNOWN_ROOT',
      root: root.root,
      message: `the peer has no root ${JSON.stringify(root.root)}: its files are not synced with this peer; give the peer that root too (roots option), or leave it out here`,
    }));
}

/** A warning per root where files written since the last sync lie at or under a symbolic link one side does not sync: they wait. */
function linkWarnings(roots: readonly RootSyncResult[]): RoundWarning[] {
  return roots
    .filter((root) => (root.heldByLinks?.length ?? 0) > 0)
    .map((root) => {
      const held = root.heldByLinks ?? [];
      const first = held.slice(0, 3).map((path) => JSON.stringify(path)).join(', ');
      return {
        code: 'HELD_BY_LINK',
        root: root.root,
        message: `${held.length} file(s) of root ${JSON.stringify(root.root)} written since the last sync (${first}${held.length > 3 ? ', …' : ''}) lie at or under a symbolic link this server or the peer does not sync (to a folder, out of its root, or to nothing): they are not synced until the link is replaced by a file or a folder (the server holding it lists it in fileNameProblems)`,
      };
    });
}

/** True for a failure after which a round whose data went through keeps the interval (see {@link dataWentThrough}). */
function keepsInterval(code: string): boolean {
  return STORAGE_FAILURE_CODES.has(code) || LASTING_ROOT_FAILURE_CODES.has(code);
}

/**
 * Keeps the round's file error: the first one, unless a later root found the peer gone (`lost`: silent) or failed
 * otherwise (refused, reset, a proxy's 502 page: any failure that is not a lasting file one) while the kept one is a
 * lasting file failure: its status then says what happened to the peer, and the scheduler backs off, whatever
 * failed before it (a root refused as `PEER_LISTED_DATABASE` or `FILE_UNREADABLE` alone keeps the interval).
 */
export function noteFilesError(tally: RoundTally, failure: FailureDescription, lost: boolean): void {
  const kept = tally.filesError;
  if (lost || kept === undefined || (keepsInterval(kept.code) && !keepsInterval(failure.code))) tally.filesError = failure;
}

/** Results whose data part failed (handshake, snapshot, pull, push; a transport's round): their error is never the files'. */
const DATA_FAILED = new WeakSet<PeerSyncResult>();

/**
 * Sums one sync's tally into its {@link PeerSyncResult}: its first {@link FILE_ERRORS_LISTED} file errors, and how many there were.
 * The round's error is its data part's (`dataError`), else its file part's (`filesError`, then the first root that failed as a whole);
 * a round whose file steps failed for want of rights or room fails with the first such error (the others stay `ok`: they are retried).
 */
export function summarizeRound(
  url: string,
  siteId: string | undefined,
  tally: RoundTally,
  durationMs: number,
  dataError: FailureDescription | undefined,
  filesError?: FailureDescription,
): PeerSyncResult {
  const { roots } = tally;
  const sum = (pick: (root: RootSyncResult) => number): number => roots.reduce((total, root) => total + pick(root), 0);
  const failure = dataError ?? filesError ?? tally.filesError ?? storageFailureOf(roots);
  const result: PeerSyncResult = {
    peer: url,
    siteId,
    ok: failure === undefined,
    rowsPulled: tally.rowsPulled,
    rowsPushed: tally.rowsPushed,
    filesUp: sum((root) => root.uploaded),
    filesDown: sum((root) => root.downloaded),
    filesDeleted: sum((root) => root.deletedHere + root.deletedThere),
    dataConflicts: tally.dataConflicts,
    fileConflicts: roots.flatMap((root) => root.conflicts),
    durationMs,
    error: failure,
    fileErrors: roots.flatMap((root) => root.errors).slice(0, FILE_ERRORS_LISTED),
    fileErrorCount: sum((root) => root.errors.length),
    heldDeletions: roots.flatMap((root) => root.held),
    warnings: [...unknownRootWarnings(roots), ...linkWarnings(roots)],
  };
  if (dataError !== undefined) DATA_FAILED.add(result);
  return result;
}

/**
 * True when a round's data part went through: the round is ok, or it failed only for its files, with a failure no retry
 * sooner heals, while its handshake, pull and push went through: its files lacked rights or room
 * ({@link STORAGE_FAILURE_CODES}: a file or folder this server or the peer may not read or write, a full disk), or a root
 * failed as a whole for a lasting reason ({@link LASTING_ROOT_FAILURE_CODES}: the peer listed a file this server refuses
 * as a database, a root's folder is missing). A NATS catch-up over HTTP counts such a round as caught up, and the
 * scheduler does not back off from it (its next round comes at the interval). A peer gone under the files (its code
 * is an unreachable one, see `noteFilesError`) is never such a round.
 */
export function dataWentThrough(result: PeerSyncResult | undefined): boolean {
  if (result === undefined) return false;
  if (result.ok) return true;
  const code = result.error?.code;
  return !DATA_FAILED.has(result) && code !== undefined && (STORAGE_FAILURE_CODES.has(code) || LASTING_ROOT_FAILURE_CODES.has(code));
}
