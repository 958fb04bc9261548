import { filesInfoAnswerCheck } from '../files/wire-schema';
import { SyncError } from '../sync-error';
import type { PeerHttp } from './peer-http';

/** What `GET /files/info` told of a peer: the id its file sync goes by (none: a router that runs no rounds of its own). */
export interface FilePeerSite {
  readonly site: string | undefined;
}

/**
 * A peer whose `GET /files/info` answers this server's own identity: this server itself, or a copy of its state
 * folder its start could not tell apart (a block-level copy). Either base would be taken for the other's.
 */
function sameFilesSite(url: string, site: string): SyncError {
  return new SyncError(
    'SAME_SITE_ID',
    409,
    `${url} answers with this server's own file-sync identity ${site}: it is this server itself (remove it from its peers: \`peers\`, SYNC_PEERS in the sample app), or a copy of its state folder that was not told apart; on the copy, stop it, delete files-site.json in its stateDir and start it again (it takes a new identity, and its next rounds are first syncs: nothing deleted)`,
  );
}

/**
 * Asks the peer which id its file sync goes by (`GET /files/info`): for a
 * round without a data handshake (this server or the peer has no data),
 * which would otherwise know the peer by its host only. Undefined from a
 * peer of an older version (404 or 405: no such endpoint), which neither
 * sends nor records settlements with a server without data.
 * @param own - the id this server's file sync goes by
 * @throws SyncError `SAME_SITE_ID` (409) when the peer answers `own`; the peer's other failures (unreachable, the token refused, an answer not of the schema)
 */
export async function askFilePeerSite(peer: PeerHttp, own: string | undefined): Promise<FilePeerSite | undefined> {
  let answer;
  try {
    answer = await peer.json('GET', 'files/info', filesInfoAnswerCheck);
  } catch (error) {
    if (error instanceof SyncError && (error.status === 404 || error.status === 405)) return undefined;
    throw error;
  }
  if (answer.site !== undefined && answer.site === own) throw sameFilesSite(peer.url.replace(/\/$/, ''), answer.site);
  return { site: answer.site };
}
