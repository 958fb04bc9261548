import type { TSchema } from '@sinclair/typebox';
import type { TypeCheck } from '@sinclair/typebox/compiler';
import { changeCount, type AnyChangeset, type ChangeTracker } from '../data/change-tracker';
import { COMPACT_PROTOCOL, compactPageEnvelopeCheck } from '../data/compact-schema';
import { applyResultCheck, changePageEnvelopeCheck, type ApplyResult } from '../data/wire-schema';
import type { PeerHttp } from './peer-http';
import { isAnswerTooLarge, isRefusedAsTooLarge, PAGE_GROWTH, PullPageSize, pulledRowTooLarge, pushedRowTooLarge, type PushCut } from './pull-page-size';

export type { PushCut };
import { SyncError } from '../sync-error';
import { stopCopyFix } from '../data/new-site-id-fix';

export { handshake, type Handshake } from './handshake';

/** The schema of a page's envelope, by the protocol the page says it follows: a peer asked for a compact page may answer in protocol 1 (it is checked whole when applied). */
function pageEnvelopeCheck(parsed: unknown): TypeCheck<TSchema> {
  const compact = (parsed as { protocol?: unknown } | null)?.protocol === COMPACT_PROTOCOL;
  return (compact ? compactPageEnvelopeCheck : changePageEnvelopeCheck) as unknown as TypeCheck<TSchema>;
}

/** Counts of one direction of data sync. */
export interface TransferCount {
  rows: number;
  /** Distinct conflicts (parked rows, by id) this direction left. */
  conflicts: number;
  pages: number;
  /** The ids behind `conflicts`: a row parked on both sides of a link is one conflict, not two. */
  readonly conflictIds: Set<string>;
}

/** A count of nothing yet. */
function emptyCount(): TransferCount {
  return { rows: 0, conflicts: 0, pages: 0, conflictIds: new Set() };
}

/** Notes the conflicts an apply answered, each id once. */
function noteConflicts(count: TransferCount, conflicts: ReadonlyArray<{ readonly id: string }>): void {
  for (const conflict of conflicts) count.conflictIds.add(conflict.id);
  count.conflicts = count.conflictIds.size;
}

/** How many distinct conflicts a pull and a push left together (a row parked on both servers counts once). */
export function distinctConflicts(...counts: readonly TransferCount[]): number {
  return new Set(counts.flatMap((count) => [...count.conflictIds])).size;
}

/**
 * Rows a puller applies in one transaction when pages come faster than it
 * applies them: committing each 2,000-row page writes every index page the
 * page touched again (random keys touch most of them), so consecutive pages
 * at hand are applied together, up to about this many rows.
 */
export const APPLY_GROUP_ROWS = 10_000;

export { PAGE_GROWTH };

/**
 * Pulls the peer's changes page by page until it has no more, applying the
 * pages in transactions that also save the peer's cursor (consecutive pages
 * together, up to {@link APPLY_GROUP_ROWS} rows). Changes that came from this
 * server are left out by the peer (`exclude_site`). The next page is asked
 * for before the current ones are applied, so the peer reads while this
 * server writes. Pages are asked for in the link's protocol (see `handshake`).
 * A page larger than this server reads (`maxPeerAnswerBytes`) is asked for
 * again with half the rows, down to one; each page received then doubles the
 * limit back, up to the usual one (see {@link PullPageSize}; a transport passes
 * its own `size`, kept across rounds).
 * @throws SyncError `PEER_BAD_ANSWER` for a page that is not a changeset page (nothing of it is applied; the pages before it are); `SAME_SITE_ID` (409) for a page under this server's own site id; `ROW_TOO_LARGE` when a page of one row is still too large
 */
export async function pullChanges(
  peer: PeerHttp,
  local: ChangeTracker,
  remoteSite: string,
  syncPageSize: number,
  onPage: (count: TransferCount) => void,
  size = new PullPageSize(syncPageSize),
): Promise<TransferCount> {
  const count = emptyCount();
  const compact = peer.dataProtocol === COMPACT_PROTOCOL;
  const first = local.pullCursor(remoteSite);
  size.begin(first);
  const query = (since: number, limit: number): Record<string, string> => ({
    since: String(since),
    limit: String(limit),
    exclude_site: local.siteId,
    ...(compact ? { protocol: String(COMPACT_PROTOCOL) } : {}),
  });
  const ask = async (since: number): Promise<AnyChangeset> => {
    const limit = size.limit(since);
    let page: AnyChangeset;
    try {
      const response = await peer.request('GET', 'data/changes', query(since, limit));
      page = (await peer.readAnswer(response, pageEnvelopeCheck, 'GET data/changes').catch((error: unknown) => {
        // The answer began, then its body was lost (a link that drops every so many KB, a stall):
        // the next pull from here asks for half the rows, so a page can fit between two cuts.
        if (!(error instanceof SyncError)) size.refused(since, limit);
        throw error;
      })) as AnyChangeset;
    } catch (error) {
      if (!isAnswerTooLarge(error)) throw error;
      size.refused(since, limit);
      if (limit <= 1) throw pulledRowTooLarge(peer, since, error);
      return ask(since);
    }
    if (page.site === local.siteId) {
      // Its pages carry this server's own id (a copy of this database that kept it, answering after its handshake): the handshake's fault.
      throw new SyncError('SAME_SITE_ID', 409, `${peer.url} sends pages under this server's own site id ${local.siteId}: one database was copied from the other; ${stopCopyFix(local.databaseFile, 'the copy')}`);
    }
    if (page.site !== remoteSite) throw new SyncError('PEER_BAD_ANSWER', 502, `${peer.url} changed its site id during the sync`);
    size.received(limit);
    return page;
  };
  const fetchPage = (since: number): Promise<AnyChangeset> => {
    const asked = ask(since);
    // Awaited later (after the pages at hand are applied): a failure meanwhile must not count as unhandled.
    asked.catch(() => undefined);
    return asked;
  };
  const pages: PageChain = { cursor: first, pending: undefined };
  pages.pending = fetchPage(pages.cursor);
  while (pages.pending !== undefined) {
    const { group, failure } = await collect(pages, fetchPage);
    if (pages.pending !== undefined) await new Promise((resolve) => setImmediate(resolve)); // let the request leave before the synchronous apply
    applyGroup(local, group, count);
    for (const page of group) {
      count.rows += changeCount(page);
      count.pages += 1;
      onPage(count);
    }
    if (failure !== undefined) throw failure.error;
  }
  return count;
}

/**
 * Applies the pages at hand in one transaction; when one of them is refused,
 * the pages before it are applied one by one (each with its cursor), so they
 * land as they would have alone, and the refusal is thrown.
 */
function applyGroup(local: ChangeTracker, group: readonly AnyChangeset[], count: TransferCount): void {
  if (group.length === 0) return;
  try {
    local.applyChangesets(group).forEach((result) => noteConflicts(count, result.conflicts));
  } catch (error) {
    if (group.length === 1) throw error;
    // A refused page throws its own error here, after the pages before it landed.
    for (const page of group) noteConflicts(count, local.applyChangeset(page).conflicts);
  }
}

/** Where a pull is: the cursor after the pages received, and the page asked for next. */
interface PageChain {
  cursor: number;
  pending: Promise<AnyChangeset> | undefined;
}

/** Receives pages, asking for each next one at once, until about {@link APPLY_GROUP_ROWS} rows are at hand, the last page came, or a request failed (kept to report after the pages before it are applied). */
async function collect(pages: PageChain, fetchPage: (since: number) => Promise<AnyChangeset>): Promise<{ group: AnyChangeset[]; failure: { error: unknown } | undefined }> {
  const group: AnyChangeset[] = [];
  let rows = 0;
  while (pages.pending !== undefined && (group.length === 0 || rows < APPLY_GROUP_ROWS)) {
    let page: AnyChangeset;
    try {
      page = await pages.pending;
    } catch (error) {
      pages.pending = undefined;
      return { group, failure: { error } };
    }
    const next = page.next ?? pages.cursor;
    const last = page.more !== true || next <= pages.cursor;
    group.push(page);
    rows += changeCount(page);
    pages.cursor = next;
    pages.pending = last ? undefined : fetchPage(next);
  }
  return { group, failure: undefined };
}

/**
 * Pushes local changes made since the last push to this peer, page by page,
 * without the changes that came from that peer. The push cursor advances
 * only after the peer applied a page, so a failed push is simply repeated
 * (applying is idempotent). A page with no rows (its seqs held only what the
 * peer has) is not sent when another follows, which then starts where it did;
 * the last page goes even empty when it passed over such seqs: the peer's pull
 * cursor of this server moves with the push cursor, page by page. The next page is read while the peer applies
 * the current one; pages after the first hold up to `PAGE_GROWTH` times
 * `syncPageSize` rows. A page the peer finds too large (413) is sent again in
 * halves, down to a single row, and the pages after it keep that size. While
 * the peer is pulling from this server (see `ChangeTracker.isPulling`), the
 * push stops before its next page: the pull moves the same changes; while it
 * applies the last page of such a pull (`ChangeTracker.receivingUpTo`), the
 * push starts after that page, and moves no push cursor (should that pull
 * never land, the next push sends its rows). A page
 * lost on the way (see {@link PushCut}) ends the push; the next one from
 * there sends half as many rows per page.
 * @throws SyncError `PEER_BAD_ANSWER` for an answer that is not an apply result
 */
export async function pushChanges(
  peer: PeerHttp,
  local: ChangeTracker,
  remoteSite: string,
  syncPageSize: number,
  onPage: (count: TransferCount) => void,
  cut: PushCut = { at: undefined, rows: syncPageSize },
): Promise<TransferCount> {
  const count = emptyCount();
  // The peer is applying the last page of its pull from us (its cursor, which the handshake told, moves only then): that page's rows are
  // on their way, so this push starts after them. It saves no push cursor then: if that pull never lands, the next push sends them.
  const confirmed = local.pushCursor(remoteSite);
  let since = Math.max(confirmed, local.receivingUpTo(remoteSite));
  const passedOver = since > confirmed;
  // Where the next page sent starts for the peer. A page with no rows (it passed over seqs holding only what the peer has:
  // its own changes, its echoes) is not sent when a page follows: that page claims its start, and the peer's pull cursor
  // follows. The push's last page is sent even empty when it passed over such seqs, so the peer's cursor reaches the
  // same place as ours: a push cursor moved without the peer's leaves that peer a cursor stuck behind it, and one
  // held back instead would make the next push after a restart (no-echo windows live in memory) send them again.
  let claimed = since;
  const resumed = cut.at === since; // the last push lost its page here: as small as that
  let size = resumed ? Math.min(syncPageSize, cut.rows) : syncPageSize;
  let grown = resumed ? size : PAGE_GROWTH * syncPageSize;
  const protocol = peer.dataProtocol;
  let page = local.readChangesToSend(since, size, remoteSite, protocol);
  for (;;) {
    // The peer is pulling from us right now: its pull carries these same changes; ours gives way.
    if (local.isPulling(remoteSite)) return count;
    const rows = changeCount(page);
    const next = page.next ?? since;
    const last = page.more !== true || next <= since;
    const sent = rows > 0 || (last && next > claimed && !passedOver);
    const sending = sent ? peer.json('POST', 'data/changes', applyResultCheck, {}, { kind: 'json', value: { ...page, since: claimed } }) : undefined;
    let following: AnyChangeset | undefined;
    try {
      following = last ? undefined : local.readChangesToSend(next, grown, remoteSite, protocol);
    } finally {
      sending?.catch(() => undefined); // awaited just below; this only keeps a failure from going unhandled meanwhile
    }
    if (sending !== undefined) {
      let answer: ApplyResult;
      try {
        answer = await sending;
      } catch (error) {
        // Lost on the way: the next push, which starts where this page claimed to, sends half as many rows (a page with none says nothing of size).
        if (!(error instanceof SyncError) && rows > 0) Object.assign(cut, { at: claimed, rows: Math.max(1, Math.floor(rows / 2)) });
        if (!isRefusedAsTooLarge(error)) throw error;
        if (rows <= 1) throw pushedRowTooLarge(peer, page, error);
        size = Math.max(1, Math.floor(rows / 2));
        grown = size;
        page = local.readChangesToSend(since, size, remoteSite, protocol);
        continue;
      }
      if (rows > 0) {
        count.rows += rows;
        noteConflicts(count, answer.conflicts);
        count.pages += 1;
        onPage(count);
      }
      if (next > since && !passedOver) local.savePushCursor(remoteSite, next);
      claimed = next;
    }
    if (following === undefined) return count;
    since = next;
    page = following;
  }
}
