import path from 'node:path';
import { joinSnapshot } from '../../lib/peers/snapshot-join';
import { cleanUpOnSignal, folderToMake } from './interrupt';
import { caOf, refuseCaForPlainHttp, serverUrlOf, tokenOf } from './remote';
import { skewFromEnvironment } from './arguments';

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
  /** How far ahead a synced clock may be (default: `$SYNC_MAX_CLOCK_SKEW_MS`, else the library's). */
  readonly maxClockSkewMs?: number;
}

/**
 * `join`: creates a new server's database from a peer's snapshot, then pulls
 * what the peer wrote meanwhile. Exit code 2 when the snapshot is in place
 * but the pull after it failed (the server catches up at its first sync);
 * 130 after Ctrl-C, which removes what the join made (never a file someone else put beside it) but a database already in place.
 * @throws SyncError `NO_TOKEN`, `BAD_URL`, `BAD_CA`, `BAD_USAGE` (a `$SYNC_MAX_CLOCK_SKEW_MS` that is no whole number of milliseconds); SyncError from the join (`TARGET_EXISTS`, the peer's codes, `SNAPSHOT_*`)
 */
export async function joinCommand(options: JoinCommandOptions): Promise<void> {
  const url = serverUrlOf(options.from, '--from'); // before the token: see remoteServer
  const token = tokenOf(options.token);
  refuseCaForPlainHttp(url, options.ca, '--from');
  const maxClockSkewMs = options.maxClockSkewMs ?? skewFromEnvironment(); // before the signal listener: a bad value leaves none behind
  const started = performance.now();
  let placed = false; // by this join: a file another process put there meanwhile is not called ours
  const stopListening = cleanUpOnSignal({
    command: 'join',
    target: options.db,
    made: folderToMake(path.dirname(path.resolve(options.db))),
    placed: `${options.db} is in place, the server catches up at its first sync`,
    isPlaced: () => placed,
  });
  const joinOptions = { url, token, db: options.db, gzip: options.gzip === true, peerTimeoutMs: options.timeout, peerCa: caOf(options.ca, url), ...(maxClockSkewMs === undefined ? {} : { maxClockSkewMs }) };
  const result = await joinSnapshot(joinOptions, { url: '--from', db: '--db' }, () => (placed = true)).finally(stopListening);
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
