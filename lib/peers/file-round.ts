import type { LocalFiles } from '../files/local-files';
import { syncRoot, type PeerFileLink, type RootSyncResult } from './file-exchange';
import { adoptWaitingSettlements, fileStateOf, tellPeerSettled } from './file-settled';
import { RootTurns } from './file-root-turns';
import { FileSyncState } from './file-sync-state';
import { type FailureDescription } from './peer-failure';
import { SILENT_PEER_CODES } from './failure-codes';
import { noteFilesError, type RoundTally } from './round-result';

/** The result of a root whose sync failed as a whole (the peer's listing refused, the peer gone). */
function failedRoot(root: string, failure: FailureDescription): RootSyncResult {
  return { root, uploaded: 0, downloaded: 0, deletedHere: 0, deletedThere: 0, conflicts: [], errors: [{ path: root, ...failure }], skipped: false, held: [] };
}

/** One peer as the file part of a round sees it. */
export interface PeerRootsLink extends Omit<PeerFileLink, 'state'> {
  /**
   * The id this server's file sync goes by (its site id, or the identity of a
   * server without data), kept in the base: a base kept under another one is
   * no base (this server is a copy of the one that kept it).
   */
  readonly localSiteId?: string;
  /**
   * True when the peer is told, under `localSiteId`, what each root settled
   * (`POST /files/settled`), so that it moves its base with this server too:
   * not a peer known by its host only (an older one that answers no
   * `GET /files/info`), which records no settlement from a server without data.
   */
  readonly tellPeer: boolean;
}

/**
 * The file part of a round with one peer: every root, each once no other
 * peer's round holds it (`turns`: the free ones first), against the
 * state kept for that peer in `stateDir` (read again for each root: the
 * peer's own rounds record what they settled in it meanwhile); a root that
 * fails is reported in the tally and the others still sync, unless the peer
 * went silent under it (no answer or data for `peerTimeoutMs`): the roots
 * after it wait for the next round, as each would first wait as long again
 * for a peer that is gone (and the other peers' rounds, waiting for its
 * root, with it). A connection cut fails at once: the roots after it are
 * still tried, so a file the link cannot carry does not hold them back. What a root settled, once saved, is told to the peer (`POST
 * /files/settled`).
 */
export async function syncPeerRoots(
  files: LocalFiles,
  stateDir: string,
  url: string,
  link: PeerRootsLink,
  tally: RoundTally,
  describe: (error: unknown) => FailureDescription,
  turns: RootTurns = new RootTurns(),
): Promise<void> {
  const file = fileStateOf(stateDir, url);
  // What the peer settled with this server before it was known as this URL; best effort, as the settlements themselves.
  await adoptWaitingSettlements(stateDir, url, link.remoteSiteId).catch(() => undefined);
  const pending = [...files.roots.keys()];
  while (pending.length > 0) {
    const root = await turns.take(pending);
    let state: FileSyncState | undefined;
    let lost: boolean;
    try {
      state = await FileSyncState.load(file, link.remoteSiteId, link.localSiteId);
      const synced = await syncRoot(files, { ...link, state }, root);
      tally.roots.push(synced);
      // The link failed under a file step: the round failed as the peer's, not as a file's (`/status` says unreachable).
      const failure = synced.lost === undefined ? undefined : describe(synced.lost);
      lost = failure !== undefined && SILENT_PEER_CODES.has(failure.code);
      if (failure !== undefined) noteFilesError(tally, failure, lost);
    } catch (caught) {
      const failure = describe(caught);
      lost = SILENT_PEER_CODES.has(failure.code);
      noteFilesError(tally, failure, lost);
      tally.roots.push(failedRoot(root, failure));
    }
    const settled = state?.savedChanges(root);
    try {
      if (link.tellPeer && link.localSiteId !== undefined && settled !== undefined && settled.size > 0) await tellPeerSettled(link.peer, link.localSiteId, root, settled);
    } finally {
      turns.release(root);
    }
    if (lost) return;
  }
}
