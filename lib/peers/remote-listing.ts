import type { FilePolicy } from '../files/file-policy';
import { namesTokenFile, namesTokenFileCopy, TOKEN_FILE_NAME } from '../files/token-file-names';
import { parseSyncPath } from '../files/safe-path';
import { manifestAnswerCheck } from '../files/wire-schema';
import { SyncError } from '../sync-error';
import { notASyncApiHint } from './peer-failure';
import type { PeerHttp } from './peer-http';

/** A peer's listing of a root: its files, and the symbolic links it holds but does not sync. */
export interface RemoteListing {
  /** Path (relative to the root) to SHA-256, for every file the peer lists. */
  readonly files: ReadonlyMap<string, string>;
  /** The symbolic links the peer holds but does not sync (its `leftOut`; empty from an older peer). */
  readonly leftOut: readonly string[];
}

async function remoteManifest(peer: PeerHttp, root: string, sizes: Map<string, number>): Promise<RemoteListing | undefined> {
  try {
    const answer = await peer.json('GET', 'files/checksums', manifestAnswerCheck, { path: root });
    const listed = new Map(answer.files.map((file) => [file.path, file.sha256]));
    refuseImpossibleListing(root, answer.files.length, listed, (text) => peer.shownText(text));
    for (const file of answer.files) sizes.set(file.sha256, file.size);
    return { files: listed, leftOut: answer.leftOut ?? [] };
  } catch (error) {
    if (error instanceof SyncError && error.code === 'UNKNOWN_ROOT') return undefined; // the peer has no such root
    // No such endpoint (a URL that is not the peer's sync API, an app's own 404): not "no such root", or a round syncs nothing and says ok.
    if (error instanceof SyncError && error.status === 404) throw new SyncError(error.code, 404, `${error.message}. ${notASyncApiHint(peer.url.replace(/\/$/, ''))}`, { cause: error });
    throw error;
  }
}

/**
 * A listing no folder can hold: a path listed twice, or a path that is both a
 * file and a folder of another (`d` and `d/e.txt`).
 * @param shown - a path of the peer's as the message shows it (bounded, tokens hidden: {@link PeerHttp.shownText})
 * @throws SyncError `PEER_BAD_LISTING` (502)
 */
function refuseImpossibleListing(root: string, entries: number, listed: ReadonlyMap<string, string | undefined>, shown: (text: string) => string): void {
  if (listed.size !== entries) throw new SyncError('PEER_BAD_LISTING', 502, `the peer listed a path twice under ${root}; refusing its listing`);
  for (const relative of listed.keys()) {
    for (let cut = relative.lastIndexOf('/'); cut > 0; cut = relative.lastIndexOf('/', cut - 1)) {
      const folder = relative.slice(0, cut);
      if (listed.has(folder)) throw new SyncError('PEER_BAD_LISTING', 502, `the peer listed ${root}/${shown(folder)} both as a file and as the folder of ${shown(relative)}; refusing its listing`);
    }
  }
}

/**
 * A peer's listing is not trusted: every path must be a well-formed, non-database path. A refusal shows
 * the path as `shown` makes it (bounded, tokens hidden: {@link PeerHttp.shownText}).
 */
function checkRemotePaths(policy: FilePolicy, root: string, remote: ReadonlyMap<string, string>, shown: (text: string) => string): void {
  for (const relative of remote.keys()) {
    let parsed: ReturnType<typeof parseSyncPath> | undefined;
    try {
      parsed = parseSyncPath(`${root}/${relative}`);
    } catch {
      parsed = undefined;
    }
    if (parsed?.root !== root || parsed.segments.length === 0) {
      throw new SyncError('PEER_BAD_LISTING', 502, `the peer listed ${shown(JSON.stringify(relative))} under ${root}; refusing its listing`);
    }
    if (policy.isDatabaseName(relative)) {
      const what = namesTokenFile(relative)
        ? `${namesTokenFileCopy(relative) ? 'a copy of a sync token file' : 'a sync token file'} (${TOKEN_FILE_NAME}: a server of an older version lists one kept in a synced folder, a data folder placed inside it; move that data folder out of the synced folder, or update that server)`
        : 'a database file name';
      throw new SyncError('PEER_LISTED_DATABASE', 502, `the peer listed ${root}/${shown(relative)}, ${what}; refusing its listing`);
    }
  }
}

/**
 * The peer's listing of a root, checked: every path well-formed and not a database's, no path twice, no path both a
 * file and a folder; the size of each content noted in `sizes`. Undefined when the peer has no such root.
 * @throws SyncError `PEER_BAD_LISTING`, `PEER_LISTED_DATABASE` (502); 404 with a hint for a URL that is not a sync API; the peer's other failures
 */
export async function readRemoteListing(peer: PeerHttp, policy: FilePolicy, root: string, sizes: Map<string, number>): Promise<RemoteListing | undefined> {
  const listing = await remoteManifest(peer, root, sizes);
  if (listing !== undefined) checkRemotePaths(policy, root, listing.files, (text) => peer.shownText(text));
  return listing;
}
