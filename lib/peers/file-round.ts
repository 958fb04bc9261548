import { createHash } from 'node:crypto';
import path from 'node:path';
import type { LocalFiles } from '../files/local-files';
import { syncRoot, type PeerFileLink, type RootSyncResult } from './file-exchange';
import { FileSyncState } from './file-sync-state';
import type { FailureDescription } from './peer-failure';
import type { RoundTally } from './round-result';

/** The result of a root whose sync failed as a whole (the peer's listing refused, the peer gone). */
function failedRoot(root: string, failure: FailureDescription): RootSyncResult {
  return { root, uploaded: 0, downloaded: 0, deletedHere: 0, deletedThere: 0, conflicts: [], errors: [{ path: root, ...failure }], skipped: false, held: [] };
}

/**
 * The file part of a round with one peer: every root in turn, against the
 * state kept for that peer in `stateDir`; a root that fails is reported in
 * the tally and the others still sync.
 */
export async function syncPeerRoots(
  files: LocalFiles,
  stateDir: string,
  url: string,
  link: Omit<PeerFileLink, 'state'>,
  tally: RoundTally,
  describe: (error: unknown) => FailureDescription,
): Promise<void> {
  const key = createHash('sha256').update(url).digest('hex').slice(0, 16);
  const state = await FileSyncState.load(path.join(stateDir, `files-${key}.json`));
  for (const root of files.roots.keys()) {
    try {
      tally.roots.push(await syncRoot(files, { ...link, state }, root));
    } catch (caught) {
      const failure = describe(caught);
      tally.filesError ??= failure;
      tally.roots.push(failedRoot(root, failure));
    }
  }
}
