import { PeerSiteUrls } from '../data/peer-site-urls';
import { newSiteIdCommand } from '../data/new-site-id-fix';
import { filesInfoAnswerCheck } from '../files/wire-schema';
import { SyncError } from '../sync-error';
import type { PeerHttp } from './peer-http';

/** What `GET /files/info` told of a peer: the id its file sync goes by (none: a router that runs no rounds of its own). */
export interface FilePeerSite {
  readonly site: string | undefined;
  /** Random per running server; none from one that sends none. */
  readonly instance?: string;
}

/**
 * Which URLs lately answered `GET /files/info` with which id, to see two servers that share one (a copy of a state
 * folder its start could not tell apart, two servers on one stateDir, a copied database): a peer's settlements
 * (`POST /files/settled`) are recorded in the base of every URL known as its id, so the other's base would name
 * files it never held, and a round with it would take them for files it deleted. While two URLs answered one id
 * with two instances within ten minutes, the id is contested: rounds with either URL are refused and settlements
 * under it are not recorded, whichever URL was met first. The same bookkeeping as the data handshake's
 * `DUPLICATE_SITE_ID` (SiteGuard.notePeer): one server under two URLs (one instance) is no error.
 */
export class FilePeerSites extends PeerSiteUrls {}

/** `DUPLICATE_SITE_ID` (409): `url` and `other` answer `GET /files/info` with one id and two instances; names the fix. */
export function duplicateFilesSite(url: string, other: string, site: string): SyncError {
  const named = (peer: string): string => peer.replace(/\/$/, '');
  return new SyncError(
    'DUPLICATE_SITE_ID',
    409,
    `${named(url)} and ${named(other)} both answer GET /files/info with the id ${site}: two servers share one identity, and the base kept with one would be taken for the other's (a file one settled would be deleted on the other); nothing moved, and the bases kept with both URLs are dropped (once it is fixed, a first sync with each: nothing deleted). A server without data: one state folder was copied from the other without being told apart (a block-level copy), or both run on one stateDir: on the copy, stop it, delete files-site.json in its stateDir and start it again (its next rounds are first syncs: nothing deleted). A server with data: one database was copied from the other: run \`${newSiteIdCommand(undefined)}\` on the copy. One server under two URLs is no error: list only one of them`,
  );
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
  return { site: answer.site, ...(answer.instance === undefined ? {} : { instance: answer.instance }) };
}
