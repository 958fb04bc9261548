import { existsSync, readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { removeEmptyFoldersSync } from '../../lib/files/atomic-file';
import { isTempFileName, tempPrefixOf } from '../../lib/files/temp-files';
import { joinSnapshot } from '../../lib/peers/snapshot-join';
import { caOf, serverUrlOf, tokenOf } from './remote';

/** Options of `join`. */
export interface JoinCommandOptions {
  readonly from: string;
  readonly db: string;
  readonly token: string | undefined;
  readonly timeout: number;
  readonly gzip?: boolean;
  readonly json?: boolean;
  /** A PEM file with the peer's CA certificate (default: `$SYNC_PEER_CA`). */
  readonly ca?: string;
}

/** The highest folder on the way to `dir` that does not exist yet (the one a join would make), if any. */
function folderToMake(dir: string): string | undefined {
  let made: string | undefined;
  for (let at = dir; !existsSync(at) && path.dirname(at) !== at; at = path.dirname(at)) made = at;
  return made;
}

/** Removes this process's temp snapshot beside `target` and its SQLite side files (named by our pid), nothing else. */
function removeOurTempFiles(target: string): void {
  const ours = `${tempPrefixOf(target)}${process.pid}-`;
  for (const name of readdirSync(path.dirname(target))) {
    if (name.startsWith(ours) && isTempFileName(name)) rmSync(path.join(path.dirname(target), name), { force: true });
  }
}

/**
 * Ctrl-C (SIGINT) or SIGTERM while a join runs: as a join that fails, it
 * removes only what it made. This process's temp snapshot beside `--db` (and
 * its SQLite side files) is removed, and the folders the join made for `--db`
 * too while no database was put in place, each only while empty: a file
 * someone else put there meanwhile keeps its folder (the message names it).
 * Then it exits with 130 (143). A database already in place stays: the server
 * catches up at its first sync.
 * @returns a function that stops listening for the signals
 */
function cleanUpOnSignal(db: string): () => void {
  const target = path.resolve(db);
  const made = folderToMake(path.dirname(target));
  const onSignal = (signal: NodeJS.Signals): void => {
    try {
      removeOurTempFiles(target);
    } catch {
      // the folder is not there (yet, or any more): no temp file of this join to remove
    }
    const placed = existsSync(target);
    if (made !== undefined && !placed) removeEmptyFoldersSync(path.dirname(target), path.dirname(made));
    const kept = made !== undefined && !placed && existsSync(made) ? ` (kept ${made}: it holds files this join did not make)` : '';
    process.stderr.write(`express-sqlite-sync: join stopped by ${signal}; ${placed ? `${db} is in place, the server catches up at its first sync` : `nothing was left behind${kept}`}\n`);
    process.exit(signal === 'SIGINT' ? 130 : 143);
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  return () => {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  };
}

/**
 * `join`: creates a new server's database from a peer's snapshot, then pulls
 * what the peer wrote meanwhile. Exit code 2 when the snapshot is in place
 * but the pull after it failed (the server catches up at its first sync);
 * 130 after Ctrl-C, which removes what the join made (never a file someone else put beside it) but a database already in place.
 * @throws SyncError `NO_TOKEN`, `BAD_URL`, `BAD_CA`; SyncError from the join (`TARGET_EXISTS`, the peer's codes, `SNAPSHOT_*`)
 */
export async function joinCommand(options: JoinCommandOptions): Promise<void> {
  const token = tokenOf(options.token);
  const url = serverUrlOf(options.from, '--from');
  const started = performance.now();
  const stopListening = cleanUpOnSignal(options.db);
  const result = await joinSnapshot({ url, token, db: options.db, gzip: options.gzip === true, peerTimeoutMs: options.timeout, peerCa: caOf(options.ca) }, { url: '--from', db: '--db' }).finally(stopListening);
  const ms = Math.round(performance.now() - started);
  if (options.json === true) process.stdout.write(`${JSON.stringify({ ...result, ms })}\n`);
  else {
    const megabytes = (result.snapshotBytes / 1024 / 1024).toFixed(1);
    process.stdout.write(
      `joined ${options.from} into ${options.db}: snapshot of seq ${result.snapshotSeq} (${megabytes} MB), then ${result.rowsPulled} rows pulled, in ${ms} ms; new site id ${result.siteId} (the peer's is ${result.peerSite})\n`,
    );
  }
  if (result.pullError !== undefined) {
    process.stderr.write(`express-sqlite-sync: the snapshot is in place, but the pull after it failed (${result.pullError.code}: ${result.pullError.message}); the server catches up at its first sync\n`);
    process.exitCode = 2;
  }
}
