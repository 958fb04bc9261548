import type { DecodedChange } from './changeset';
import { rowRef } from './row-ref';
import type { SettleBatch } from './settle-batch';

/** Counts of one merge. */
export interface MergeCounts {
  applied: number;
  ignored: number;
  /** The local seq afterwards. */
  seq: number;
  /**
   * The last seq that holds only the sender's parts (see `EchoRanges`); the seqs after it, up to
   * `seq`, hold rows whose earlier birth was taken in here, with cells the sender lacks (`EarlierBirths`).
   */
  echoTo: number;
  /** Changes of a page ahead of its sender's cursor passed over, to come again with the earlier page they need (see `MergeRun.passedOver`). */
  heldBack: number;
}

/** What one merge keeps while it runs. */
export interface MergeRun extends MergeCounts {
  /** The local seq before the merge. */
  readonly localSeq: number;
  /**
   * True for a page that starts beyond the stored cursor (a later page applied
   * first): it cannot move the cursor, so what it lacks comes again.
   */
  readonly early: boolean;
  maxHlc: number;
  readonly batch: SettleBatch;
  /**
   * On an early page, the rows (see `metaRef`) a change of which was passed
   * over: their later changes on the page are passed over too, so applying
   * the page twice does what applying it once did.
   */
  readonly passedOver: Set<string>;
  /** True while the rows of the page have been new to the metadata (see `#mergeOne`). */
  expectNew: boolean;
  /**
   * Rows new to the metadata whose values are not placed yet, in page order
   * (see `ChangeMerger.#mergeNew`): placed before anything else reads or
   * writes a user table, and at the end of the page.
   */
  unplaced: DecodedChange[];
}

/**
 * A row as the metadata tells rows apart: its table and metadata key, an
 * integral REAL the same as the INTEGER of its value (SQLite compares them as
 * equal, so a no-affinity key sent as `1` and as `{"$real":1}` is one row).
 */
export function metaRef(change: DecodedChange): string {
  return rowRef(change.table.table.id, [change.metaKey]);
}
