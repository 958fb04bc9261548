import type { IdentityChange } from '../data/change-tracker';
import type { SyncLogger } from '../logger';
import { CLI_COMMAND } from '../cli-command';
import { shellWord } from '../shell-word';
import { FILE_ERRORS_LISTED, type HeldDeletion, type PeerSyncResult } from './sync-status';

/**
 * The sync client's log lines: one per event, stable field names (listed in
 * docs/API.md, "Logs"), `event` first. Counts and codes only: never a token,
 * never a row's values.
 */

/** When the next attempt is due, as the scheduler set it. */
export interface NextAttempt {
  /** Consecutive failures so far. */
  readonly failures: number;
  /** Epoch ms of the next periodic sync or retry; undefined when syncs run on demand only. */
  readonly nextRunAt: number | undefined;
  /** Consecutive failures that back off (the scheduler's backoff step): above 0, the next attempt is a backoff retry; absent: 0. */
  readonly backoffFailures?: number;
}

function retryFields(next: NextAttempt): { failures: number; backingOff: boolean; nextRetryAt: string | null; retryInMs: number | null } {
  return {
    failures: next.failures,
    backingOff: (next.backoffFailures ?? 0) > 0 && next.nextRunAt !== undefined,
    nextRetryAt: next.nextRunAt === undefined ? null : new Date(next.nextRunAt).toISOString(),
    retryInMs: next.nextRunAt === undefined ? null : Math.max(0, next.nextRunAt - Date.now()),
  };
}

function logFileEvents(logger: SyncLogger, result: PeerSyncResult, name: string | undefined, customCa: boolean): void {
  for (const conflict of result.fileConflicts) {
    logger.warn({ event: 'files.conflict', peer: result.peer, peerName: name ?? null, path: conflict.path, copyPath: conflict.copyPath }, 'file changed on both sides: both versions kept');
  }
  for (const error of result.fileErrors.slice(0, FILE_ERRORS_LISTED)) {
    logger.warn({ event: 'files.error', peer: result.peer, peerName: name ?? null, path: error.path, code: error.code }, `file step failed, retried next round: ${error.message}`);
  }
  const omitted = result.fileErrorCount - Math.min(result.fileErrors.length, FILE_ERRORS_LISTED);
  if (omitted > 0) {
    logger.warn({ event: 'files.errors_omitted', peer: result.peer, peerName: name ?? null, fileErrors: result.fileErrorCount, omitted }, `and ${omitted} more file steps failed this round (${result.fileErrorCount} in all), not logged one by one; retried next round`);
  }
  for (const held of result.heldDeletions) logHeld(logger, held, name, customCa);
}

/**
 * What the held line adds when the sync client trusts its HTTPS peers by a CA of the operator's own (`peerCa`): this
 * server's own sync API may be served with a certificate of that CA, and the CLI then reaches it only with `--ca`. The
 * library cannot tell (it knows neither its own URL nor whether it is served over HTTPS, and holds the certificate's
 * text, not its file), so the line says when to add it (never in the command itself: on an `http://` server, as the
 * README's laptops are, the CLI refuses `--ca`).
 */
const CUSTOM_CA_NOTE =
  " (if this server's sync API is https:// with a certificate of your own CA, add --ca <CA certificate file>, or set SYNC_PEER_CA to that file: the server holds peerCa's text, not its file)";

/**
 * `files.deletions_held` (warn): the mass-delete guard stopped a root's sync.
 * @param customCa - whether the sync client was given `peerCa` (the line then says when to add `--ca`, see {@link CUSTOM_CA_NOTE})
 */
export function logHeld(logger: SyncLogger, held: HeldDeletion, name: string | undefined, customCa = false): void {
  logger.warn(
    { event: 'files.deletions_held', peer: held.peer, peerName: name ?? null, root: held.root, side: held.side, count: held.count, files: held.files, percent: held.percent, maxDeletePercent: held.maxDeletePercent },
    `sync of ${held.root} held back: it would delete ${held.count} of ${held.files} files ${held.side === 'here' ? 'on this server' : 'on the peer'}; confirm with \`${CLI_COMMAND} confirm-deletions --url <this server's sync API> --peer ${shellWord(held.peer)} --root ${shellWord(held.root)}\`${customCa ? CUSTOM_CA_NOTE : ''} or on the status page`,
  );
}

/**
 * Logs one finished sync with one peer: `sync.round` (info) with what moved
 * each way and the duration, or `sync.failed` (warn) with the code and the
 * next retry (and `identity.changed` when its handshake made this server take a new site id: pass the tracker's
 * `lastIdentityChange` as `identity`; `customCa`: whether the client was given `peerCa`, see {@link logHeld}); then `sync.conflicts`, `files.conflict`, `files.error` (at most
 * {@link FILE_ERRORS_LISTED}, then one `files.errors_omitted` with the count) and
 * `files.deletions_held` (warn) for what needs a look.
 */
export function logSyncResult(logger: SyncLogger, result: PeerSyncResult, name: string | undefined, next: NextAttempt, identity?: IdentityChange, customCa = false): void {
  const counts = {
    rowsPulled: result.rowsPulled,
    rowsPushed: result.rowsPushed,
    filesDown: result.filesDown,
    filesUp: result.filesUp,
    filesDeleted: result.filesDeleted,
    dataConflicts: result.dataConflicts,
    fileConflicts: result.fileConflicts.length,
    ms: Math.round(result.durationMs),
  };
  if (result.ok) logger.info({ event: 'sync.round', peer: result.peer, peerName: name ?? null, ...counts }, 'synced with peer');
  else {
    const code = result.error?.code ?? 'SYNC_FAILED';
    logger.warn({ event: 'sync.failed', peer: result.peer, peerName: name ?? null, code, ...retryFields(next), ...counts }, `sync with peer failed: ${result.error?.message ?? code}`);
    // The handshake found this server rewound or copied and it took a new id: the same line as at start or on the answering side.
    if (identity !== undefined && identity.code === code) {
      logger.warn({ event: 'identity.changed', code, previous: identity.previous, current: identity.current, peer: result.peer }, `${identity.detail}: took the new site id ${identity.current} by itself; its rows are sent again to every peer and nothing is lost; nothing to do`);
    }
  }
  if (result.dataConflicts > 0) {
    logger.warn({ event: 'sync.conflicts', peer: result.peer, peerName: name ?? null, dataConflicts: result.dataConflicts }, 'rows kept out of their table by a UNIQUE or foreign-key clash; see GET /data/conflicts');
  }
  logFileEvents(logger, result, name, customCa);
}
