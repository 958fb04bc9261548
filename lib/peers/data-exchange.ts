import type { TSchema } from '@sinclair/typebox';
import type { TypeCheck } from '@sinclair/typebox/compiler';
import { changeCount, type AnyChangeset, type ChangeTracker } from '../data/change-tracker';
import { COMPACT_PROTOCOL, compactPageEnvelopeCheck } from '../data/compact-schema';
import { changePageEnvelopeCheck } from '../data/wire-schema';
import type { PeerHttp } from './peer-http';
import { isAnswerTooLarge, PAGE_GROWTH, PullPageSize, pulledRowTooLarge, type PushCut } from './pull-page-size';
import { emptyCount, noteConflicts, type TransferCount } from './transfer-count';

export type { PushCut };
export { distinctConflicts, type TransferCount } from './transfer-count';
export { pushChanges } from './push-changes';
import { SyncError } from '../sync-error';
import { PULL_TIMEOUT_HEADER } from '../data/pushes-in-flight';
import { stopCopyFix } from '../data/new-site-id-fix';

export { handshake, type Handshake } from './handshake';

/** The schema of a page's envelope, by the protocol the page says it follows: a peer asked for a compact page may answer in protocol 1 (it is checked whole when applied). */
function pageEnvelopeCheck(parsed: unknown): TypeCheck<TSchema> {
  const compact = (parsed as { protocol?: unknown } | null)?.protocol === COMPACT_PROTOCOL;
  return (compact ? compactPageEnvelopeCheck : changePageEnvelopeCheck) as unknown as TypeCheck<TSchema>;
}

/**
 * Rows a puller applies in one transaction when pages come faster than it
 * applies them: committing each 2,000-row page writes every index page the
 * page touched again (random keys touch most of them), so consecutive pages
 * at hand are applied together, up to about this many rows. Pulling 1M rows
 * with groups of 10,000, the puller spent 27.5 s of CPU (11.7 s of it in the
 * kernel, writing the WAL); with 25,000, 21.5 s (8 s); with 50,000, 19.3 s, but
 * its peak RSS rose from 157–183 MB to 234 MB (25,000: 210–217 MB), and a
 * group's apply holds the event loop for longer.
 */
export const APPLY_GROUP_ROWS = 25_000;

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
 * its own `size`, kept across rounds). `beforeApply` is awaited before each group
 * of pages is applied (the sync client waits there for a snapshot join under way):
 * when it throws, the pull ends with its error, those pages not applied (the next
 * pull asks for them again).
 * @throws SyncError `PEER_BAD_ANSWER` for a page that is not a changeset page (nothing of it is applied; the pages before it are); what `beforeApply` throws; `SAME_SITE_ID` (409) for a page under this server's own site id; `ROW_TOO_LARGE` when a page of one row is still too large
 */
export async function pullChanges(
  peer: PeerHttp,
  local: ChangeTracker,
  remoteSite: string,
  syncPageSize: number,
  onPage: (count: TransferCount) => void,
  size = new PullPageSize(syncPageSize),
  beforeApply: () => Promise<void> = () => Promise.resolve(),
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
      // Our timeout, told: the peer's wait for its push page on its way here (no echo) stays well inside it.
      const response = await peer.request('GET', 'data/changes', query(since, limit), undefined, { [PULL_TIMEOUT_HEADER]: String(peer.timeoutMs) });
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
    await beforeApply();
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
