import type { SyncLogger } from '../logger';
import { describeFailure, type FailureDescription } from './peer-failure';
import type { PeerMemory } from './peer-status';

/** How the file part of a round went with a peer that answered the data handshake `DATA_OFF`. */
export interface FilesWithDataOffPeer {
  /**
   * True when the peer said which id its file sync goes by (`GET /files/info`) and the roots were synced with it,
   * false when it is of an older version (no `GET /files/info`: no file moved), undefined when the file part did not
   * get that far (this server has no files, or asking the peer failed).
   */
  readonly reached: boolean | undefined;
  /** The file part's own failure, if any. */
  readonly filesError: FailureDescription | undefined;
}

/**
 * The data failure a round with a peer that answered its handshake `DATA_OFF` reports. A files-only server (a router
 * mounted without a database) that syncs its files with this one is working as configured: none, so the round is `ok`
 * with its files' figures (a file failure of its own is still the round's error). `DATA_OFF` stays the round's error
 * when nothing could sync: the peer is of an older version (no `GET /files/info`, so no file moved), or this server
 * has no files to sync with it.
 * @param caught - what the data handshake threw (a `SyncError` or peer answer with code `DATA_OFF`)
 */
export function dataOffFailure(caught: unknown, url: string, files: FilesWithDataOffPeer): FailureDescription | undefined {
  if (files.reached === true) return undefined;
  if (files.reached === undefined && files.filesError !== undefined) return undefined; // the files' failure is the round's
  return describeFailure(caught, { peer: url, phase: 'handshake', clockSkewMs: undefined, filesSynced: files.reached });
}

/** What a round's handshake with a files-only peer said: the `DATA_OFF` it threw, and whether the files synced all the same. */
export interface DataOffAnswer {
  readonly caught: unknown;
  /** As {@link FilesWithDataOffPeer.reached}. */
  readonly filesSynced: boolean | undefined;
}

/**
 * Records on the peer whether it syncs files only (`PeerStatus.filesOnly`): `dataOff` when its handshake answered
 * `DATA_OFF`, undefined once a data handshake went through. When it turns so, logs it once (`peer.files_only`, warn):
 * every later round whose files sync is `ok` and says nothing of the data, so this line is where the log tells an
 * operator that no data syncs with that peer, and how to change that.
 */
export function noteFilesOnly(logger: SyncLogger, url: string, peer: PeerMemory, dataOff: DataOffAnswer | undefined): void {
  const was = peer.filesOnly;
  peer.filesOnly = dataOff !== undefined;
  if (dataOff === undefined || was === true) return;
  const { message } = describeFailure(dataOff.caught, { peer: url, phase: 'handshake', clockSkewMs: undefined, filesSynced: dataOff.filesSynced });
  logger.warn({ event: 'peer.files_only', peer: url, peerName: peer.name ?? null, code: 'DATA_OFF' }, `peer syncs files only, no data with it (logged once): ${message}`);
}
