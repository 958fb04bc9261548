import { COMPACT_PROTOCOL, type CompactChangeset } from './compact-schema';
import { CompactPage, ObjectPage, type PageSink } from './page-sinks';
import { PROTOCOL_VERSION, type WireChangeset } from './wire-schema';
import type { TrackerParts } from './tracker-parts';
import type { SchemaDescription } from './wire-schema';

/** What a page read needs besides the tracker's parts. */
export interface PageRequest {
  readonly since: number;
  readonly limit: number;
  /** The peer the page is for: its changes are left out, and windows of its own echoes passed over. */
  readonly excludeSite: string | undefined;
  /** Cut the page before the next window of the peer's echoes (a push: see `readChangesToSend`); otherwise the page passes over them. */
  readonly cutBeforeEchoes: boolean;
}

/** A page in either protocol: 1 (a change object per row) or 2 (the compact page). */
export type AnyChangeset = WireChangeset | CompactChangeset;

/** How many changes (rows) a page of either protocol carries. */
export function changeCount(page: AnyChangeset): number {
  return page.protocol === 1 ? page.changes.length : page.tables.reduce((total, table) => total + table.rows.length, 0);
}

/** How a page's first row is named in messages: `table ["key"]` (the key as it travels). */
export function firstRowLabel(page: AnyChangeset): string {
  if (page.protocol === 1) {
    const change = page.changes[0];
    return change === undefined ? 'a row' : `${change.table} ${JSON.stringify(change.key)}`;
  }
  const table = page.tables[0];
  const key = table?.rows[0]?.[0];
  return table === undefined || key === undefined ? 'a row' : `${table.table} ${JSON.stringify(Array.isArray(key) ? key : [key])}`;
}

/**
 * Reads one page inside the caller's write transaction: folds local writes
 * (settling them when rows are parked), starts past the windows of seqs that
 * merging the peer's own changesets wrote, reads the parts, and records the
 * mark of the page's `next` (docs/PROTOCOL.md, "Identity").
 * @param protocol - 1 or 2 (`COMPACT_PROTOCOL`): the shape of the page
 */
export function readPage(parts: TrackerParts, schema: SchemaDescription, request: PageRequest, foreignKeys: boolean, protocol: number): AnyChangeset {
  const { sites, reader, guard, visible, echo } = parts;
  const { since, limit, excludeSite } = request;
  const { seq: localSeq } = visible.fold(foreignKeys);
  const exclude = excludeSite === undefined ? undefined : sites.find(excludeSite);
  const { from, rows } = echo.plan(excludeSite, since, limit, exclude, request.cutBeforeEchoes);
  const sink: PageSink = protocol === COMPACT_PROTOCOL ? new CompactPage() : new ObjectPage();
  // A pulled page passes over the peer's windows inside it; a pushed one was cut before the next (`plan`).
  const skip = request.cutBeforeEchoes ? undefined : echo.skipper(excludeSite, from);
  const read = reader.read(from, rows, localSeq, exclude, sink, skip);
  const next = Math.max(read.next, echo.skip(excludeSite, read.next));
  const more = read.more && next < localSeq;
  // A `since` beyond this database's seq (a hostile or a rewound view) gets no mark: marks name seqs this history has.
  const mark = next <= localSeq ? { mark: guard.markAt(next) } : {};
  const envelope = { site: sites.local, schema, since, next, more, ...mark, sites: read.sites };
  if (sink instanceof CompactPage) return { protocol: COMPACT_PROTOCOL, ...envelope, tables: sink.tables };
  return { protocol: PROTOCOL_VERSION, ...envelope, changes: (sink as ObjectPage).changes };
}
