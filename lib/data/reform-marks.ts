import { REFORM_UNSURE } from './reform-trigger-sql';
import type { SqlValue } from './values';

/** What a reform log row (op 5) said of a live row: its key as the log holds it, and the mask of its form then. */
export interface ReformMark {
  readonly pk: SqlValue;
  readonly mask: bigint;
}

/**
 * The rows one fold saw logged as reformed (op 5: a statement was about to write their key again in
 * another storage class), until the next insert or delete of the same key settles each: an insert over the
 * live row (the REPLACE happened) asks {@link formChanged}; a delete drops the mark. An update of the row, or a
 * REPLACE that did not delete it (op 4 of a row still there), keeps it: neither changes the key's form. Keys
 * are matched as SQLite matches them: `1`, `1.0`, `0` and `-0.0` are one key.
 */
export class ReformMarks {
  readonly #marks = new Map<string, ReformMark>();

  /** How many marks wait. */
  get size(): number {
    return this.#marks.size;
  }

  /** Notes a reform log row. */
  note(tbl: number, pk: SqlValue, mask: bigint): void {
    this.#marks.set(markKey(tbl, pk), { pk, mask: BigInt.asUintN(64, mask) });
  }

  /** The mark of this key, if one waits; it is dropped. */
  take(tbl: number, pk: SqlValue): ReformMark | undefined {
    const key = markKey(tbl, pk);
    const mark = this.#marks.get(key);
    if (mark !== undefined) this.#marks.delete(key);
    return mark;
  }
}

/** One text per key as SQLite compares keys: a number by its exact value whatever its class (an integral REAL as its integer). */
function markKey(tbl: number, pk: SqlValue): string {
  if (typeof pk === 'bigint') return `${tbl}:n${pk}`;
  if (typeof pk === 'number') return Number.isInteger(pk) ? `${tbl}:n${BigInt(pk)}` : `${tbl}:r${pk}`;
  if (typeof pk === 'string') return `${tbl}:s${pk}`;
  if (Buffer.isBuffer(pk)) return `${tbl}:b${pk.toString('hex')}`;
  return `${tbl}:o${String(pk)}`;
}

/**
 * True when the key its table stores now is in another form than the mark's: a part of another class,
 * or a REAL zero without affinity of another sign (a one-column key: the log holds the old value itself,
 * sign included). A composite key's metadata spells a REAL zero as `0`, so its old sign is unknown: such
 * a part counts as changed (the REPLACE is a new life of the row, harmless when the sign was the same).
 * @param stored - the key as the table stores it now (a REAL as a number); undefined when the row is gone
 */
export function formChanged(mark: ReformMark, stored: readonly SqlValue[] | undefined): boolean {
  if (stored === undefined) return false;
  const unsure = ((mark.mask >> BigInt(REFORM_UNSURE)) & 1n) === 1n;
  for (const [index, value] of stored.entries()) {
    const real = typeof value === 'number';
    if (index >= REFORM_UNSURE ? real : real !== (((mark.mask >> BigInt(index)) & 1n) === 1n)) return true; // past the mask's bits: a REAL part may have been an INTEGER
  }
  if (!unsure) return false;
  const [only] = stored;
  if (stored.length === 1 && typeof only === 'number' && typeof mark.pk === 'number') return !Object.is(only, mark.pk);
  return true;
}
