import { rm } from 'node:fs/promises';
import path from 'node:path';
import Database from 'better-sqlite3';
import type { ContentCoding } from '../content-coding';
import { enableCapture } from '../data/capture';
import type { ChangeTracker } from '../data/change-tracker';
import { makeFolderFor } from '../data/backup-targets';
import { adoptSnapshotFile } from '../data/snapshot-adopt';
import type { SnapshotFacts } from '../data/snapshot-file';
import type { ImportedSnapshot } from '../data/snapshot-import';
import { applyResultCheck, dataInfoCheck, PROTOCOL_VERSION } from '../data/wire-schema';
import { DEFAULTS } from '../defaults';
import { removeEmptyFoldersSync, tempPathFor } from '../files/atomic-file';
import { placeNewFile } from '../files/place-new-file';
import { makePrivateTempDir, removePrivateTempDir } from '../files/temp-dirs';
import { sweepStaleTempFilesOf } from '../files/temp-files';
import { normalizePeerUrl } from './client-options';
import { checkJoinOptions, JOIN_OPTION_NAMES, joinFailure, type JoinNames, type JoinOptions, type JoinResult } from './join-options';
import { handshake, pullChanges } from './data-exchange';
import { chooseProtocol } from './handshake';
import { checkJoinTarget } from './join-target';
import { PeerHttp } from './peer-http';
import { downloadSnapshot } from './snapshot-download';
import { snapshotWriteRefused } from './snapshot-room';
import { SyncError } from '../sync-error';

/**
 * Tells the sender of a snapshot that this server has every part of its own
 * up to `localSeq` (all of them came from the sender): an empty changeset
 * whose `since`/`next` the sender stores as its pull cursor for this server,
 * so it never pulls back what it sent.
 */
async function tellSenderItHasAll(peer: PeerHttp, data: ChangeTracker, localSeq: number): Promise<void> {
  // An empty page at `localSeq` records this database's mark for it: the sender keeps it with its cursor (see "Identity").
  const here = data.readChanges(localSeq, 1);
  const mark = here.next === localSeq && here.mark !== undefined ? { mark: here.mark } : {};
  const changeset = { protocol: PROTOCOL_VERSION, site: data.siteId, schema: data.schema, since: 0, next: localSeq, more: false, ...mark, sites: [], changes: [] };
  // Best effort: without it the sender pulls back once what this server got from third sites.
  await peer.json('POST', 'data/changes', applyResultCheck, {}, { kind: 'json', value: changeset }).catch(() => undefined);
}

/**
 * Downloads the snapshot a join starts from; a peer that serves none (404: `serveSnapshots: false`,
 * or a version from before snapshots, whose /data/info answered all the same) is `SNAPSHOTS_OFF`,
 * naming the way that still works: a server started empty syncs page by page.
 */
async function downloadForJoin(peer: PeerHttp, temp: string, coding: ContentCoding): Promise<SnapshotFacts> {
  try {
    return await downloadSnapshot(peer, temp, coding);
  } catch (error) {
    // The peer could not build one (507 no room in its temp folder, 503 locked, 500): a join has nothing to page instead.
    if (error instanceof SyncError && error.code === 'SNAPSHOT_FAILED') {
      throw new SyncError(
        'SNAPSHOT_FAILED',
        error.status,
        `${error.message}. Nothing was made: a join needs the snapshot. A new server can still start from this peer without a join: started with an empty database, it pulls everything page by page`,
        { cause: error },
      );
    }
    if (!(error instanceof SyncError) || error.status !== 404) throw error;
    throw new SyncError(
      'SNAPSHOTS_OFF',
      404,
      `${peer.url} serves no snapshots (it runs with serveSnapshots: false, or is of a version from before snapshots); nothing was made. A new server can still start from it without a join: started with an empty database, it pulls everything page by page`,
      { cause: error },
    );
  }
}

/**
 * Starts this server's empty database from a peer's snapshot, in place (see
 * `ChangeTracker.importSnapshot`): the snapshot is downloaded into a private
 * temp folder (in `tempParent`, the OS temp folder by default), verified, imported, and removed. Resolves undefined when the
 * peer serves no snapshots (an older version, or `serveSnapshots: false`):
 * the caller then pulls page by page.
 * @throws SyncError as `downloadSnapshot` and `importSnapshot` do
 */
export async function startFromSnapshot(peer: PeerHttp, data: ChangeTracker, remoteSite: string, coding: ContentCoding, tempParent?: string): Promise<ImportedSnapshot | undefined> {
  const dir = await makePrivateTempDir('ess-join-', tempParent);
  try {
    const file = path.join(dir, 'snapshot.sqlite3');
    let facts;
    try {
      facts = await downloadSnapshot(peer, file, coding);
    } catch (error) {
      // A peer that serves none (404) or could not build one (SNAPSHOT_FAILED) is paged from.
      if (error instanceof SyncError && (error.status === 404 || error.code === 'SNAPSHOT_FAILED')) return undefined;
      throw error;
    }
    if (facts.site !== remoteSite) throw new SyncError('SNAPSHOT_MISMATCH', 502, `${peer.url} sent a snapshot of site ${facts.site}, but it is ${remoteSite}`);
    try {
      const imported = data.importSnapshot(file, facts);
      await tellSenderItHasAll(peer, data, imported.localSeq);
      return imported;
    } catch (error) {
      if (error instanceof SyncError && error.code === 'NOT_EMPTY') return undefined; // written meanwhile: page by page then
      throw error;
    }
  } finally {
    await removePrivateTempDir(dir);
  }
}

export type { JoinOptions, JoinResult } from './join-options';

/** Pulls what the peer wrote after its snapshot, through the normal handshake and pull. */
async function pullAfterSnapshot(peer: PeerHttp, file: string, tables: readonly string[], snapshotSeq: number, options: JoinOptions): Promise<number> {
  const db = new Database(file);
  try {
    db.pragma('journal_mode = WAL');
    const tracker = enableCapture(db, { tables, maxClockSkewMs: options.maxClockSkewMs ?? DEFAULTS.maxClockSkewMs });
    const { remoteSite } = await handshake(peer, tracker);
    const pageSize = options.syncPageSize ?? DEFAULTS.syncPageSize;
    await tellSenderItHasAll(peer, tracker, snapshotSeq);
    const pulled = await pullChanges(peer, tracker, remoteSite, pageSize, (count) => options.onProgress?.('pull', count.rows));
    // What the pull wrote is the sender's too: say so now, while this process still knows (its no-echo windows end with it),
    // or the new server sends it all back at its first round. Only when nothing else was written meanwhile (a server started on the file).
    const localSeq = tracker.info().seq;
    if (localSeq > snapshotSeq && tracker.unsentFrom(remoteSite, snapshotSeq, localSeq) === 0) await tellSenderItHasAll(peer, tracker, localSeq);
    return pulled.rows;
  } finally {
    db.close();
  }
}

/**
 * Creates a new server's database from a peer's snapshot
 * (`express-sqlite-sync join --from URL --db PATH`): downloads it beside
 * `db` as a temp file (hashed, fsynced), checks it (`integrity_check`), gives
 * it a new site id while keeping the peer's clocks, puts it in place without
 * ever replacing a file, then pulls what the peer wrote meanwhile. The new
 * database is left in WAL mode. On failure it removes what it made and
 * nothing else: its temp snapshot, and the folders it made for `db` while empty.
 * @throws TypeError naming the option for no options object, an unknown option, a wrong type or a `url` that is not http(s); RangeError for a number out of range
 * @throws SyncError `PROTOCOL_MISMATCH` (409), before any download, for a peer that shares no page protocol with this version; `TARGET_EXISTS` (409) when `db` (or a side file, or a symbolic link at its name) exists; `TARGET_INVALID` (400) for an empty path, a folder, a path under a file or a side file's name (`x.db-wal`, a super-journal's `x.db-mj…`); Node's code (`ECONNREFUSED`…, 502) for a peer that cannot be reached, with the fix; the peer's error codes; `SNAPSHOT_*` and `PEER_BAD_ANSWER` (502; `SNAPSHOT_NO_SPACE` 507 for a disk without room for the snapshot, also once it is downloaded)
 */
export async function joinFromPeer(options: JoinOptions): Promise<JoinResult> {
  const checked = checkJoinOptions(options);
  const url = normalizePeerUrl(checked.url, JOIN_OPTION_NAMES.url);
  try {
    return await joinSnapshot(checked, JOIN_OPTION_NAMES);
  } catch (error) {
    throw joinFailure(error, url);
  }
}

/**
 * {@link joinFromPeer} without its option checks and failure hints, its
 * messages naming the url and the target as `names` say: the CLI's `join`
 * (its options checked by commander, its failures explained with its flags).
 * @param onPlaced - told once the new database is in place (by this join, not by another process)
 */
export async function joinSnapshot(options: JoinOptions, names: JoinNames, onPlaced?: () => void): Promise<JoinResult> {
  const target = checkJoinTarget(options.db, names);
  const url = normalizePeerUrl(options.url, names.url);
  // A fresh laptop: the folder may not exist yet; the folders made here are removed again when the join fails, if empty.
  const created = makeFolderFor(target, 'the new database'); // TARGET_INVALID for a folder it may not write, before the peer is asked
  sweepStaleTempFilesOf(target); // what an earlier join, killed mid-download, left beside it
  const peer = new PeerHttp({ url, token: options.token }, { peerTimeoutMs: options.peerTimeoutMs, peerCa: options.peerCa });
  const temp = tempPathFor(target);
  let placed = false;
  try {
    const info = await peer.json('GET', 'data/info', dataInfoCheck);
    chooseProtocol(peer, info); // PROTOCOL_MISMATCH before a byte is downloaded: the pull after the snapshot, and every round after, would fail
    const facts = await downloadForJoin(peer, temp, options.gzip === true ? 'gzip' : 'identity');
    options.onProgress?.('snapshot', facts.bytes);
    if (facts.site !== info.site) throw new SyncError('SNAPSHOT_MISMATCH', 502, `${peer.url} sent a snapshot of site ${facts.site}, but it is ${info.site}`);
    const clocks = { nowMs: Date.now(), maxClockSkewMs: options.maxClockSkewMs ?? DEFAULTS.maxClockSkewMs }; // as the new server's pages will be checked
    let adopted;
    try {
      adopted = adoptSnapshotFile(temp, facts, { fingerprint: info.schema.fingerprint, against: `those ${peer.url} announced` }, clocks);
    } catch (error) {
      throw snapshotWriteRefused(error, temp) ?? error; // the copy grows as it takes its new site id: a full disk said as such, with the fix
    }
    await placeNewFile(temp, target, {
      // What took the name meanwhile, said as at the start (TARGET_EXISTS); the file system's own EEXIST when it is gone again.
      taken: (error) => {
        checkJoinTarget(target, names);
        return error;
      },
      onPlaced: () => {
        placed = true;
        onPlaced?.();
      },
    });
    let rowsPulled = 0;
    let pullError: JoinResult['pullError'];
    try {
      rowsPulled = await pullAfterSnapshot(peer, target, adopted.tables, adopted.seq, options);
    } catch (error) {
      pullError = { code: error instanceof SyncError ? error.code : ((error as NodeJS.ErrnoException).code ?? 'SYNC_FAILED'), message: error instanceof Error ? error.message : String(error) };
    }
    return { siteId: adopted.siteId, peerSite: adopted.peerSite, snapshotSeq: adopted.seq, snapshotBytes: facts.bytes, rowsPulled, pullError };
  } finally {
    await rm(temp, { force: true });
    // Only what this join made: the folders, each while empty (a file someone put there meanwhile keeps it).
    if (!placed && created !== undefined) removeEmptyFoldersSync(path.dirname(target), path.dirname(created));
    peer.close();
  }
}
