import { firstRowLabel, type AnyChangeset } from '../data/change-tracker';
import { SyncError, TooLargeError } from '../sync-error';
import type { PeerHttp } from './peer-http';

/**
 * After the first page of a pull or a push, pages are asked for this many
 * times `syncPageSize` rows (10,000 by default; a server gives at most its
 * `maxChangesPageSize`): each page costs a round trip and a commit, and a
 * small first page keeps a small sync quick.
 */
export const PAGE_GROWTH = 5;

/**
 * The `limit` a pull asks for: `syncPageSize` for its first page,
 * {@link PAGE_GROWTH} times that after; after an answer too large, half the
 * rows of the refused page (down to one), doubled again with each page
 * received until the usual limit is back, so a few large rows slow only the
 * pages around them. A transport keeps one across rounds: a pull that starts
 * where the last refusal was (a row too large stopped the last round there)
 * starts at the reduced limit instead of halving its way down again; any
 * other pull starts at the usual.
 */
export class PullPageSize {
  readonly #pageSize: number;
  #first = 0;
  /** The cap after a refusal; undefined when pages are their usual size. */
  #cap: number | undefined;
  /** The cursor of the page last refused. */
  #refusedAt: number | undefined;

  /** @param pageSize - `syncPageSize` */
  constructor(pageSize: number) {
    this.#pageSize = pageSize;
  }

  /** A pull starts at cursor `first`: the usual sizes, unless the last refusal was at `first`. */
  begin(first: number): void {
    this.#first = first;
    if (this.#refusedAt !== first) this.#cap = undefined;
  }

  /** The limit of the page after `since`. */
  limit(since: number): number {
    const usual = since === this.#first ? this.#pageSize : PAGE_GROWTH * this.#pageSize;
    return this.#cap === undefined ? usual : Math.min(usual, this.#cap);
  }

  /** The page after `since`, asked with `limit` rows, was too large: half as many next (at least one). */
  refused(since: number, limit: number): void {
    this.#cap = Math.max(1, Math.floor(limit / 2));
    this.#refusedAt = since;
  }

  /** A page asked with `limit` rows arrived: twice as many next, until the usual size. */
  received(limit: number): void {
    if (this.#cap === undefined) return;
    this.#cap = 2 * limit >= PAGE_GROWTH * this.#pageSize ? undefined : Math.max(this.#cap, 2 * limit);
  }
}

/**
 * True for a page refused because it is larger than this server reads from a
 * peer (`maxPeerAnswerBytes`, on the wire or inflated): a smaller page may pass.
 * (`readAll` and `decodeBody` throw a {@link TooLargeError} for it).
 */
export function isAnswerTooLarge(error: unknown): error is TooLargeError {
  return error instanceof TooLargeError && error.code === 'PEER_BAD_ANSWER';
}

/** A page of one row the peer sends that is larger than this server reads: no smaller page can carry it, so the pull stops at it. */
export function pulledRowTooLarge(peer: PeerHttp, since: number, refusal: SyncError): SyncError {
  return new SyncError(
    'ROW_TOO_LARGE',
    413,
    `the change after seq ${since} of ${peer.url} is a single row larger than this server reads from a peer (${refusal.message}); keep such rows smaller. Changes after it wait; files still sync`,
  );
}

/**
 * A single row refused as too large: no smaller page can carry it, so the push stops at it.
 * A 413 with the router's own `BODY_TOO_LARGE` is the peer's `maxChangesetBytes`; any other
 * 413 came from something in front of the peer's sync router (an app body parser, a proxy).
 */
export function pushedRowTooLarge(peer: PeerHttp, page: AnyChangeset, refusal: SyncError): SyncError {
  const row = firstRowLabel(page);
  if (refusal.code === 'BODY_TOO_LARGE') {
    return new SyncError(
      'ROW_TOO_LARGE',
      413,
      `${row} alone is larger than ${peer.url} accepts in a changeset (its maxChangesetBytes); raise maxChangesetBytes there or keep such rows smaller. Changes after it wait; files still sync`,
    );
  }
  return new SyncError(
    'ROW_TOO_LARGE',
    413,
    `${row} alone was refused with 413 by something in front of the sync router at ${peer.url}, not by the router (its answer was not BODY_TOO_LARGE): an app body parser such as express.json()'s 100 kb default limit, or a proxy's body limit. Mount the sync router before the app's body parsers there (or limit them to the app's own paths), or raise that limit. Changes after it wait; files still sync`,
  );
}

/** A 413 for a page: the router's `BODY_TOO_LARGE`, or any 413 from something in front of it; smaller pages may pass. */
export function isRefusedAsTooLarge(error: unknown): error is SyncError {
  return error instanceof SyncError && (error.code === 'BODY_TOO_LARGE' || error.status === 413);
}

/**
 * Where a push last lost a page on the way (the connection cut while it was
 * sent or answered), kept across rounds by a transport: the next push from
 * that cursor sends pages of half its rows (at least one), so a link that
 * drops every connection after some KB still moves a page at a time.
 */
export interface PushCut {
  /** The push cursor the lost page started at; undefined when none was lost. */
  at: number | undefined;
  /** The rows of the next push's pages from there. */
  rows: number;
}
