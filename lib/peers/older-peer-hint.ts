import type { AnyChangeset } from '../data/change-tracker';
import { SyncError } from '../sync-error';
import { PeerAnswerError } from './peer-answer';

/** How a REAL ±Infinity travels (docs/PROTOCOL.md, "Values"): versions from before it refuse the tag as not a value. */
const INFINITE_REAL = /"\$real":"-?Infinity"/;

/**
 * A peer's 400 refusal of a pushed page that holds a REAL ±Infinity, with a
 * hint: a peer of an older version takes no such value (it answers
 * `INVALID_CHANGESET` or `INVALID_VALUE`), and the push stops at that page
 * until the peer is upgraded. Undefined for any other error or page (the page
 * is searched only then: this runs on the error path).
 */
export function olderPeerHint(error: unknown, page: AnyChangeset, peerUrl: string): PeerAnswerError | undefined {
  if (!(error instanceof SyncError) || error.status !== 400 || (error.code !== 'INVALID_CHANGESET' && error.code !== 'INVALID_VALUE')) return undefined;
  if (!INFINITE_REAL.test(JSON.stringify(page))) return undefined;
  return new PeerAnswerError(
    error.code,
    error.status,
    `${error.message}. The page holds a REAL Infinity or -Infinity ({"$real":"Infinity"}), which a peer of an older version of express-sqlite-sync refuses: upgrade ${peerUrl.replace(/\/$/, '')} to this server's version, and the push goes on from this page`,
  );
}
