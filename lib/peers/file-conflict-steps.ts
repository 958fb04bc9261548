import { deleteLocalFile, deleteRemoteFile, fetchRemoteFile, localSide, peerHolds, uploadFile } from './file-transfer';
import type { FileAction } from './file-sync-plan';
import type { PeerHttp } from './peer-http';
import { SyncError } from '../sync-error';

/** The steps of a clash work on one root with one peer. */
export interface ConflictSide {
  readonly peer: PeerHttp;
  /** The root's name. */
  readonly root: string;
  /** The root's folder here, up to which emptied folders are removed. */
  readonly rootDir: string | undefined;
  /** Where a path of the root is here. */
  readonly absoluteOf: (relative: string) => Promise<string>;
  /** The size a content (by SHA-256) was listed with, on either side: a download never takes more. */
  readonly sizeOf?: (sha256: string) => number | undefined;
}

/**
 * Both changed, ours stays at the path: the peer's version is made the
 * conflict copy on both sides first (a copy already there with those bytes is
 * left as it is), then ours replaces the peer's at the path.
 */
export async function keepBothVersions(side: ConflictSide, action: Extract<FileAction, { kind: 'conflict' }>): Promise<void> {
  const copyAbsolute = await side.absoluteOf(action.copyPath);
  await fetchRemoteFile(side.peer, `${side.root}/${action.path}`, action.remote, copyAbsolute, undefined, side.sizeOf?.(action.remote));
  await uploadFile(side.peer, copyAbsolute, `${side.root}/${action.copyPath}`, action.remote, undefined, side.sizeOf?.(action.remote));
  await uploadFile(side.peer, await side.absoluteOf(action.path), `${side.root}/${action.path}`, action.local, action.remote, side.sizeOf?.(action.local));
}

/**
 * Both changed, and ours is already a conflict copy of the path (it lost this
 * clash elsewhere): that copy is made sure of on both sides first, then the
 * peer's version replaces ours at the path.
 */
export async function keepPeerVersion(side: ConflictSide, action: Extract<FileAction, { kind: 'conflict' }>): Promise<void> {
  const pathAbsolute = await side.absoluteOf(action.path);
  const copyClientPath = `${side.root}/${action.copyPath}`;
  await uploadFile(side.peer, pathAbsolute, copyClientPath, action.local, undefined, side.sizeOf?.(action.local));
  await fetchRemoteFile(side.peer, copyClientPath, action.local, await side.absoluteOf(action.copyPath), undefined, side.sizeOf?.(action.local));
  await fetchRemoteFile(side.peer, `${side.root}/${action.path}`, action.remote, pathAbsolute, action.local, side.sizeOf?.(action.remote));
}

/** A conflict copy whose bytes the keeper holds: deleted on both sides, once the keeper is seen to hold them still on both. */
export async function dropRedundantCopy(side: ConflictSide, action: Extract<FileAction, { kind: 'drop-copy' }>): Promise<void> {
  const keeperPath = `${side.root}/${action.keeper}`;
  if ((await localSide(await side.absoluteOf(action.keeper))) !== action.sha256) {
    throw new SyncError('LOCAL_CHANGED', 409, `${keeperPath} changed here during the sync; ${side.root}/${action.path} is kept and looked at again next round`);
  }
  if (!(await peerHolds(side.peer, keeperPath, action.sha256))) {
    throw new SyncError('REMOTE_CHANGED', 409, `${keeperPath} changed on the peer during the sync; ${side.root}/${action.path} is kept and looked at again next round`);
  }
  await deleteRemoteFile(side.peer, `${side.root}/${action.path}`, action.sha256);
  await deleteLocalFile(await side.absoluteOf(action.path), `${side.root}/${action.path}`, action.sha256, side.rootDir);
}
