import { changeCount, type AnyChangeset, type ChangeTracker } from '../data/change-tracker';
import { applyResultCheck, type ApplyResult } from '../data/wire-schema';
import { SyncError } from '../sync-error';
import { olderPeerHint } from './older-peer-hint';
import type { PeerHttp } from './peer-http';
import { isRefusedAsTooLarge, PAGE_GROWTH, pushedRowTooLarge, type PushCut } from './pull-page-size';
import { emptyCount, noteConflicts, type TransferCount } from './transfer-count';

/** Where a push starts, and the size of its pages. */
interface PushStart {
  readonly since: number;
  /** True when it starts past the push cursor (after the last page of the peer's pull from us): it saves no push cursor then. */
  readonly passedOver: boolean;
  /** Rows of the first page. */
  readonly size: number;
  /** Rows of the pages after it. */
  readonly grown: number;
}

/**
 * Where a push to `remoteSite` starts: after its push cursor, or after the last
 * page of the peer's pull from us while it applies that page (its cursor, which
 * the handshake told, moves only then: that page's rows are on their way; if
 * that pull never lands, the next push sends them). After a page lost on the
 * way from there, its pages are as small as the cut says.
 */
function pushStart(local: ChangeTracker, remoteSite: string, syncPageSize: number, cut: PushCut): PushStart {
  const confirmed = local.pushCursor(remoteSite);
  const since = Math.max(confirmed, local.receivingUpTo(remoteSite));
  const resumed = cut.at === since; // the last push lost its page here: as small as that
  const size = resumed ? Math.min(syncPageSize, cut.rows) : syncPageSize;
  return { since, passedOver: since > confirmed, size, grown: resumed ? size : PAGE_GROWTH * syncPageSize };
}

/** Counts a page the peer applied (a page with no rows, sent only to move the peer's cursor, counts for nothing). */
function countApplied(count: TransferCount, rows: number, answer: ApplyResult, onPage: (count: TransferCount) => void): void {
  if (rows === 0) return;
  count.rows += rows;
  noteConflicts(count, answer.conflicts);
  count.pages += 1;
  onPage(count);
}

/**
 * Pushes local changes made since the last push to this peer, page by page,
 * without the changes that came from that peer. The push cursor advances
 * only after the peer applied a page, so a failed push is simply repeated
 * (applying is idempotent). A page with no rows (its seqs held only what the
 * peer has: its own changes, its echoes) is not sent when another follows,
 * which then claims its start as `since`; the last page goes even empty when
 * it passed over such seqs, so the peer's pull cursor of this server moves
 * with the push cursor (one moved without the peer's leaves that peer a cursor
 * stuck behind it; one held back would make the next push after a restart,
 * the no-echo windows gone with the process, send those seqs again). The next
 * page is read while the peer applies the current one; pages after the first
 * hold up to `PAGE_GROWTH` times `syncPageSize` rows. A page the peer finds
 * too large (413) is sent again in halves, down to a single row, and the pages
 * after it keep that size. While the peer is pulling from this server (see
 * `ChangeTracker.isPulling`), the push stops before its next page: the pull
 * moves the same changes; while it applies the last page of such a pull
 * (`ChangeTracker.receivingUpTo`), the push starts after that page, and moves
 * no push cursor (should that pull never land, the next push sends its rows).
 * A page lost on the way (see {@link PushCut}) ends the push; the next one
 * from where it claimed to start sends half as many rows per page.
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
  const start = pushStart(local, remoteSite, syncPageSize, cut);
  let { since, size, grown } = start;
  let claimed = since; // where the next page sent starts for the peer
  const protocol = peer.dataProtocol;
  let page = local.readChangesToSend(since, size, remoteSite, protocol);
  for (;;) {
    // The peer is pulling from us right now: its pull carries these same changes; ours gives way.
    if (local.isPulling(remoteSite)) return count;
    const rows = changeCount(page);
    const next = page.next ?? since;
    const last = page.more !== true || next <= since;
    const sent = rows > 0 || (last && next > claimed && !start.passedOver);
    // A pull by the peer meanwhile waits for this page to land, then starts after it (see `ChangeTracker.pushLanding`).
    const sending = sent ? local.pushingPage(remoteSite, claimed, next, peer.json('POST', 'data/changes', applyResultCheck, {}, { kind: 'json', value: { ...page, since: claimed } })) : undefined;
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
        // The peer is joining from a snapshot: it holds nothing yet, and the snapshot brings most of it; the next round sends the rest.
        if (error instanceof SyncError && error.code === 'JOINING') return count;
        // Lost on the way: the next push, which starts where this page claimed to, sends half as many rows (a page with none says nothing of size).
        if (!(error instanceof SyncError) && rows > 0) Object.assign(cut, { at: claimed, rows: Math.max(1, Math.floor(rows / 2)) });
        if (!isRefusedAsTooLarge(error)) throw olderPeerHint(error, page, peer.url) ?? error;
        if (rows <= 1) throw pushedRowTooLarge(peer, page, error);
        size = Math.max(1, Math.floor(rows / 2));
        grown = size;
        page = local.readChangesToSend(since, size, remoteSite, protocol);
        continue;
      }
      countApplied(count, rows, answer, onPage);
      if (next > since && !start.passedOver) local.savePushCursor(remoteSite, next);
      claimed = next;
    }
    if (following === undefined) return count;
    since = next;
    page = following;
  }
}
