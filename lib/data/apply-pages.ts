import type Database from 'better-sqlite3';
import { createTriggersSql, dropTriggersSql } from './capture-triggers';
import type { CheckedChangeset } from './changeset';
import { triggerRefusal } from './trigger-refusal';
import { expressionRefusal } from './expression-refusal';
import type { TrackerParts } from './tracker-parts';
import type { TransportCursor } from './transport-cursors';
import type { ApplyResult } from './wire-schema';
import type { PageAhead } from './pages-ahead';

/**
 * Changesets at least this large are applied with the capture triggers set
 * aside for the transaction (a third of the cost of a bulk apply); smaller
 * ones keep them (what they log of the merge is dropped before the commit:
 * see `VisibleState.applying`), since re-creating triggers makes every
 * connection re-prepare its statements.
 */
export const BULK_APPLY_CHANGES = 1000;

/** A transport's cursor to save with the pages, and the name of its echo cursor (see `applyChangesetWithCursor`). */
export interface TransportSave {
  readonly cursor: TransportCursor;
  readonly echo: string | undefined;
}

/** A window of local seqs that merging a sender's page wrote (see `EchoRanges`): recorded once the transaction committed. */
export interface EchoWindow {
  readonly site: string;
  readonly from: number;
  readonly to: number;
}

/** What applying pages did: a result per page, and the echo windows and pages ahead of their sender's cursor to record after the commit. */
export interface AppliedPages {
  readonly results: ApplyResult[];
  readonly echoes: EchoWindow[];
  readonly ahead: PageAhead[];
}

/** What applying one page did, and its seqs: `(from, echoTo]` hold only the sender's parts, `(echoTo, result.seq]` this server's too. */
interface AppliedPage {
  readonly result: ApplyResult;
  readonly from: number;
  readonly echoTo: number;
}

/** Merges one checked page into the replicated state and settles the constraints, inside the caller's transaction. */
function applyPage(parts: TrackerParts, checked: CheckedChangeset, foreignKeys: boolean, echoes: EchoWindow[], ahead: PageAhead[]): AppliedPage {
  const { visible, merger } = parts;
  const { seq: localSeq } = visible.fold(foreignKeys);
  const batch = visible.batch('page');
  visible.applying(true);
  const counts = merger.merge(checked, localSeq, batch);
  visible.settle(batch, foreignKeys);
  // Local writes were folded first (and settling writes no seq), so the seqs this merge wrote hold only the sender's parts.
  if (checked.envelope.site !== parts.sites.local) echoes.push({ site: checked.envelope.site, from: localSeq, to: counts.echoTo });
  const result = { received: checked.count, applied: counts.applied, ignored: counts.ignored, conflicts: visible.report(batch), seq: counts.seq };
  followPagesAhead(parts, checked, counts.heldBack === 0 ? ahead : undefined);
  return { result, from: localSeq, echoTo: counts.echoTo };
}

/**
 * After a page of another server: when it moved the pull cursor of its sender, the cursor moves on past the
 * pages of that sender applied earlier ahead of it (see `PagesAhead`); when it started past the cursor, it is
 * such a page (recorded once the transaction committed), unless it passed changes over: those come again
 * with a later pull, which must not start after them.
 * @param ahead - where a page ahead is recorded; undefined when this one passed changes over
 */
function followPagesAhead(parts: TrackerParts, checked: CheckedChangeset, ahead: PageAhead[] | undefined): void {
  const { since, next, site, mark } = checked.envelope;
  if (since === undefined || next === undefined || site === parts.sites.local) return;
  const stored = parts.cursors.pull(site);
  if (since > stored) {
    ahead?.push({ local: parts.sites.local, site, since, next, mark });
    return;
  }
  const on = parts.ahead.through(site, stored, parts.sites.local);
  if (on !== undefined) parts.cursors.savePull(site, on.seq, on.mark);
}

/** The seq up to which the pages' seqs, from `before` on, hold only what they brought in (what a transport needs not send back). */
function broughtThrough(before: number, pages: readonly AppliedPage[]): number {
  let through = before;
  for (const page of pages) {
    if (page.from !== through) break;
    through = page.echoTo;
    if (page.echoTo !== page.result.seq) break;
  }
  return through;
}

/**
 * Applies checked pages, in order, inside the caller's write transaction (one
 * with foreign-key enforcement switched off: see `writeTransaction`), then
 * saves a transport's cursor with them. When the echo cursor showed nothing
 * left to send before these pages, it moves past their own writes: what the
 * transport brought in needs no sending back on it.
 * @throws SyncError `APPLY_REFUSED` (409) when an app trigger RAISEs while a page is applied, `INVALID_VALUE` (400) when an expression of the schema fails on its values (the caller's transaction then rolls back)
 */
export function applyPages(db: Database.Database, parts: TrackerParts, pages: readonly CheckedChangeset[], foreignKeys: boolean, transport: TransportSave | undefined): AppliedPages {
  const { seq: before } = parts.visible.fold(foreignKeys);
  const echoes: EchoWindow[] = [];
  const ahead: PageAhead[] = [];
  // Large changesets are applied with the capture triggers dropped and re-created in
  // the same transaction (once for all its pages): nobody else can write meanwhile,
  // and a rollback restores them.
  const bulk = pages.reduce((total, page) => total + page.count, 0) >= BULK_APPLY_CHANGES;
  const tables = [...parts.byName.values()].map((statements) => statements.table);
  if (bulk) for (const table of tables) db.exec(dropTriggersSql(table.id));
  const applied = pages.map((page) => {
    try {
      return applyPage(parts, page, foreignKeys, echoes, ahead);
    } catch (error) {
      // The merge's own writes name their row (RowPlacer); this is one made while settling the constraints.
      const write = "a write settling the constraints after another server's page";
      throw triggerRefusal(error, [...parts.byName.values()], write) ?? expressionRefusal(error, write) ?? error;
    }
  });
  if (bulk) for (const table of tables) db.exec(createTriggersSql(table));
  const results = applied.map((page) => page.result);
  if (transport === undefined) return { results, echoes, ahead };
  const { transportCursors } = parts;
  transportCursors.save(transport.cursor);
  const { echo } = transport;
  if (echo !== undefined && Number(transportCursors.get(echo) ?? 0) >= before) transportCursors.save({ name: echo, value: String(broughtThrough(before, applied)) });
  return { results, echoes, ahead };
}
