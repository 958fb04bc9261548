import type { FailureDescription, SyncPhase } from './peer-failure';
import type { RoundTally } from './round-result';
import type { HttpTransport } from './transport-http';

/** The longest wait between data reruns during a file phase after failures (unless the interval is longer). */
const MAX_RERUN_BACKOFF_MS = 60_000;

/** What a rerun reads and updates of the peer: its data transport, and its changes beyond our cursor. */
interface RerunPeer {
  readonly data: HttpTransport | undefined;
  lagChanges: number | undefined;
}

/** What the data reruns of a round's file phase are told by, and tell, the round. */
export interface DataRerunHooks {
  /** The interval of periodic syncs, undefined when they do not run (or once `stop()` began). */
  readonly everyMs: () => number | undefined;
  /** Describes a rerun's failure in `phase`. */
  readonly describe: (caught: unknown, phase: SyncPhase) => FailureDescription;
  /** Tells again the file phase's last progress, after a rerun's handshake said otherwise. */
  readonly backToFiles: () => void;
}

/**
 * While `files` runs and periodic syncs are on, the data part again every interval (a phone video crossing
 * slow Wi-Fi held every row back until it was done), its rows and conflicts added to the round's. A run that
 * fails is tried again, as is a first data part that failed after the handshake, the wait doubling after each
 * failure (at most a minute, or the interval when longer); none starts once `stop()` began. Returns the data
 * part's outcome: the last run's failure, or undefined once a run went through (`initial`, the first data
 * part's failure or undefined, when none ran).
 */
export async function rerunDataWhileFiles(files: Promise<void>, peer: RerunPeer, tally: RoundTally, initial: FailureDescription | undefined, hooks: DataRerunHooks): Promise<FailureDescription | undefined> {
  if (peer.data === undefined) return initial;
  let outcome = initial;
  let filesDone = false;
  const ended = files.then(
    () => void (filesDone = true),
    () => void (filesDone = true),
  );
  let failures = initial === undefined ? 0 : 1;
  for (;;) {
    const everyMs = hooks.everyMs();
    if (everyMs === undefined || filesDone) return outcome;
    // After failures the wait doubles (up to a minute, or the interval when longer): a refusal no retry cures
    // (ROW_TOO_LARGE, CLOCK_SKEW) must not send its pages over the file's slow link every interval.
    const waitMs = failures === 0 ? everyMs : Math.min(everyMs * 2 ** failures, Math.max(everyMs, MAX_RERUN_BACKOFF_MS));
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([ended, new Promise<void>((resolve) => (timer = setTimeout(resolve, waitMs)))]);
    clearTimeout(timer);
    if (filesDone || hooks.everyMs() === undefined) return outcome; // done, or stop() began meanwhile
    let phase: SyncPhase = 'handshake';
    try {
      const count = await peer.data.exchange((step) => {
        if (step === 'push' && phase === 'pull') peer.lagChanges = 0; // as the round's first data part does
        phase = step;
      });
      tally.rowsPulled += count.rowsIn;
      tally.rowsPushed += count.rowsOut;
      tally.dataConflicts += count.conflicts;
      outcome = undefined;
      failures = 0;
    } catch (caught) {
      outcome = hooks.describe(caught, phase);
      failures += 1;
    }
    hooks.backToFiles();
  }
}
