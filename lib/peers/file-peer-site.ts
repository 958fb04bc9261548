import { filesInfoAnswerCheck } from '../files/wire-schema';
import { SyncError } from '../sync-error';
import type { PeerHttp } from './peer-http';

/** What `GET /files/info` told of a peer: the id its file sync goes by (none: a router that runs no rounds of its own). */
export interface FilePeerSite {
  readonly site: string | undefined;
}

/**
 * Asks the peer which id its file sync goes by (`GET /files/info`): for a
 * round without a data handshake (this server or the peer has no data),
 * which would otherwise know the peer by its host only. Undefined from a
 * peer of an older version (404 or 405: no such endpoint), which neither
 * sends nor records settlements with a server without data.
 * @throws the peer's other failures (unreachable, the token refused, an answer not of the schema)
 */
export async function askFilePeerSite(peer: PeerHttp): Promise<FilePeerSite | undefined> {
  try {
    const answer = await peer.json('GET', 'files/info', filesInfoAnswerCheck);
    return { site: answer.site };
  } catch (error) {
    if (error instanceof SyncError && (error.status === 404 || error.status === 405)) return undefined;
    throw error;
  }
}
