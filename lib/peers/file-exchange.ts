import { stat } from 'node:fs/promises';
import { heldByLinks, planFileSync, settledState, underAny, type FileAction } from './file-sync-plan';
import { readRemoteListing } from './remote-listing';
import { freeConflictCopyPath } from '../files/conflict-copy-names';
import type { FileSyncState } from './file-sync-state';
import { deleteLocalFile, deleteRemoteFile, fetchRemoteFile, uploadFile } from './file-transfer';
import { dropKeptDownloadsUnder } from './partial-downloads';
import { dropRedundantCopy, keepBothVersions, keepPeerVersion, type ConflictSide } from './file-conflict-steps';
import type { LocalFiles } from '../files/local-files';
import { listManifest } from '../files/manifest';
import type { PeerHttp } from './peer-http';
import { MAX_PATH_LENGTH, resolveSyncPath } from '../files/safe-path';
import { SyncError } from '../sync-error';
import type { DeletionPlan } from './delete-guard';
import { localFileFailure } from './local-file-failure';
import { rawFailure } from './peer-failure';
import { UNREACHABLE_CODES } from './failure-codes';
import type { HeldDeletion } from './sync-status';

/** One peer as a file sync sees it. */
export interface PeerFileLink {
  /** The peer. */
  readonly peer: PeerHttp;
  /** The peer's site id, used in conflict-copy names. */
  readonly remoteSiteId: string;
  /** The last synced state with this peer. */
  readonly state: FileSyncState;
  /** The clock used for conflict-copy names. */
  readonly now: () => Date;
  /** Called after each file step. */
  readonly onProgress?: (done: number, total: number) => void;
  /**
   * The mass-delete guard: given what the plan would delete, the deletions
   * held back (the root is then left as it is), or none to go ahead.
   * @defaultValue none: every planned deletion is made
   */
  readonly guardDeletions?: (root: string, plan: DeletionPlan) => readonly HeldDeletion[];
}

/**
 * A file sync of one root with one peer: this server's files and the peer's
 * link, and the size each content (by SHA-256) was listed with, on either side.
 */
type RootJob = LocalFiles & PeerFileLink & { readonly sizeOf?: (sha256: string) => number | undefined };

/** What a file sync of one root did. */
export interface RootSyncResult {
  readonly root: string;
  uploaded: number;
  downloaded: number;
  deletedHere: number;
  deletedThere: number;
  /** Paths changed on both sides, each kept twice (see the conflict copy). */
  readonly conflicts: Array<{ readonly path: string; readonly copyPath: string }>;
  /** Steps that failed; they are retried on the next sync. */
  readonly errors: Array<{ readonly path: string; readonly code: string; readonly message: string }>;
  /** True when the peer has no such root. */
  skipped: boolean;
  /** Deletions the mass-delete guard held back: nothing of the root was synced. */
  held: readonly HeldDeletion[];
  /** Paths that differ between the two sides but lie at or under a symbolic link one side does not sync: not synced (see `leftOut`). */
  heldByLinks?: readonly string[];
  /** The link's failure (the connection lost, the peer silent) that stopped the root's steps; the steps after it wait for the next round. */
  lost?: unknown;
}

async function absoluteOf(context: RootJob, root: string, relative: string): Promise<string> {
  return (await resolveSyncPath(context.roots, `${root}/${relative}`, true)).absolute;
}

/** One root of a sync as the conflict steps see it. */
function conflictSide(context: RootJob, root: string): ConflictSide {
  return { peer: context.peer, root, rootDir: context.roots.get(root), absoluteOf: (relative) => absoluteOf(context, root, relative), sizeOf: context.sizeOf };
}

/**
 * A clash whose copy can get no name: its folder is so deep that even a cut name is over {@link MAX_PATH_LENGTH}.
 * @throws SyncError `CONFLICT_COPY_TOO_LONG` (409): the round fails with it (nothing is moved: each side keeps its version)
 */
function refuseLongCopyPath(clientPath: string, copyPath: string): void {
  if (copyPath.length <= MAX_PATH_LENGTH) return;
  throw new SyncError(
    'CONFLICT_COPY_TOO_LONG',
    409,
    `${clientPath} changed on both sides, and a conflict copy beside it would need a path of ${copyPath.length} characters, over ${MAX_PATH_LENGTH}: each side keeps its own version until the folder's path is shorter (rename a folder on the way on both servers, or move the file up)`,
  );
}

async function perform(context: RootJob, root: string, action: FileAction, result: RootSyncResult): Promise<void> {
  const clientPath = `${root}/${action.path}`;
  switch (action.kind) {
    case 'same':
      return;
    case 'upload':
      await uploadFile(context.peer, await absoluteOf(context, root, action.path), clientPath, action.local, action.remote, context.sizeOf?.(action.local));
      result.uploaded += 1;
      return;
    case 'download':
      await fetchRemoteFile(context.peer, clientPath, action.remote, await absoluteOf(context, root, action.path), action.local, context.sizeOf?.(action.remote));
      result.downloaded += 1;
      return;
    case 'delete-local':
      await deleteLocalFile(await absoluteOf(context, root, action.path), clientPath, action.local, context.roots.get(root));
      result.deletedHere += 1;
      return;
    case 'delete-remote':
      await deleteRemoteFile(context.peer, clientPath, action.remote);
      result.deletedThere += 1;
      return;
    case 'drop-copy':
      await dropRedundantCopy(conflictSide(context, root), action);
      result.deletedHere += 1;
      result.deletedThere += 1;
      return;
    case 'conflict':
      if (action.newCopy) refuseLongCopyPath(clientPath, `${root}/${action.copyPath}`);
      if (action.keep === 'local') await keepBothVersions(conflictSide(context, root), action);
      else await keepPeerVersion(conflictSide(context, root), action);
      if (action.newCopy) result.conflicts.push({ path: clientPath, copyPath: `${root}/${action.copyPath}` });
      else if (action.keep === 'local') result.uploaded += 1;
      else result.downloaded += 1;
  }
}

/**
 * A failed step's code: the SyncError's, Node's (`ECONNRESET`: the link; `EACCES` on this server's disk, with the
 * folder and the fix), `PEER_TIMEOUT`, else `FILE_SYNC_FAILED`.
 */
function describe(error: unknown): { code: string; message: string } {
  const local = localFileFailure(error);
  if (local !== undefined) return local;
  const raw = rawFailure(error);
  return raw.code === 'SYNC_FAILED' && !(error instanceof SyncError) ? { code: 'FILE_SYNC_FAILED', message: raw.message } : raw;
}

/** What the plan deletes on each side, for the mass-delete guard. */
function deletionPlan(actions: readonly FileAction[], localFiles: number, remoteFiles: number): DeletionPlan {
  return {
    here: actions.filter((action) => action.kind === 'delete-local').map((action) => action.path),
    there: actions.filter((action) => action.kind === 'delete-remote').map((action) => action.path),
    localFiles,
    remoteFiles,
  };
}

/** Deletions first: a folder emptied by them makes room for a file of its name in the same round. */
function deletionsFirst(actions: readonly FileAction[]): FileAction[] {
  const isDeletion = (action: FileAction): boolean => action.kind === 'delete-local' || action.kind === 'delete-remote';
  return [...actions.filter(isDeletion), ...actions.filter((action) => !isDeletion(action))];
}

/**
 * Performs the planned steps one by one, deletions first; a failed step is reported, the base recorded
 * only for steps that succeeded. A step the link failed (see {@link RootSyncResult.lost}) stops the rest:
 * each would wait for a peer that is gone.
 */
async function performAll(context: RootJob, root: string, actions: readonly FileAction[], result: RootSyncResult): Promise<void> {
  let done = 0;
  for (const action of deletionsFirst(actions)) {
    try {
      await perform(context, root, action, result);
      for (const [path, sha256] of settledState(action)) context.state.settle(root, path, sha256);
    } catch (error) {
      const failure = describe(error);
      result.errors.push({ path: `${root}/${action.path}`, ...failure });
      if (UNREACHABLE_CODES.has(failure.code)) {
        result.lost = error;
        return;
      }
    }
    done += 1;
    context.onProgress?.(done, actions.length);
  }
}

/**
 * Syncs one root with the peer, both ways, against the last synced state:
 * plans every path (see `planFileSync`), lets the mass-delete guard hold the
 * whole root back, performs each step with preconditions on both sides, and
 * records the new base only for steps that succeeded. A failed step is
 * reported and retried next time. A version of a clash already kept as a
 * conflict copy on either side reuses that copy instead of making another.
 * The scan that starts it also removes
 * crash leftovers (stale temp files) of the root.
 */
export async function syncRoot(files: LocalFiles, link: PeerFileLink, root: string): Promise<RootSyncResult> {
  const sizes = new Map<string, number>();
  const context: RootJob = { ...files, ...link, sizeOf: (sha256) => sizes.get(sha256) };
  const result: RootSyncResult = { root, uploaded: 0, downloaded: 0, deletedHere: 0, deletedThere: 0, conflicts: [], errors: [], skipped: false, held: [] };
  const rootDir = context.roots.get(root);
  if (rootDir === undefined) throw new SyncError('UNKNOWN_ROOT', 404, `no local root "${root}"`);
  await stat(rootDir); // a root's folder missing here (ENOENT, a failure that keeps the interval) fails before the peer lists its files
  const listing = await readRemoteListing(context.peer, context.policy, root, sizes);
  if (listing === undefined) {
    result.skipped = true;
    return result;
  }
  const remote = listing.files;
  const scanned = await listManifest(rootDir, '', { policy: context.policy, cache: context.cache, rootName: root });
  for (const file of scanned.files) sizes.set(file.sha256, file.size);
  const local = new Map(scanned.files.map((file) => [file.path, file.sha256]));
  const when = context.now();
  const copyPathFor = (path: string): string => freeConflictCopyPath(path, when, context.remoteSiteId, MAX_PATH_LENGTH - root.length - 1, (name) => local.has(name) || remote.has(name));
  const input = { local, remote, base: context.state.base(root), copyPathFor, leftOut: underAny([...scanned.leftOut, ...listing.leftOut]) };
  result.heldByLinks = heldByLinks(input);
  const actions = planFileSync(input);
  result.held = context.guardDeletions?.(root, deletionPlan(actions, local.size, remote.size)) ?? [];
  if (result.held.length > 0) return result; // every file kept, the base unchanged, until an operator confirms
  const started = Date.now();
  await performAll(context, root, actions, result);
  if (result.lost === undefined) await dropKeptDownloadsUnder(rootDir, started); // every step ran: a kept download not taken up is of bytes gone
  await context.state.save();
  return result;
}

