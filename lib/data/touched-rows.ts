import type { TrackedColumn, TrackedForeignKey } from './tracked-table';
import { valuesId } from './row-ref';
import type { SqlValue } from './values';

/** The parent rows a batch's rows point at by one foreign key, one per distinct value: looked up once, at the end of the batch. */
class Parent {
  /** The foreign key's values (its columns' order). */
  readonly values: readonly SqlValue[];
  /** Whether no visible row of the parent table holds them: undefined until asked. */
  missing: boolean | undefined;

  constructor(values: readonly SqlValue[]) {
    this.values = values;
  }
}

/** A row whose foreign-key values the batch does not know (they are read at the end). */
const UNKNOWN = 'unknown';

/**
 * The rows of one table with foreign keys that a batch made new or pointed
 * elsewhere, whose parents must be checked at its end. Each row keeps only
 * its key and, per foreign key, the {@link Parent} it points at (shared by
 * every row pointing at the same values; null for a NULL in them): a page's
 * rows mostly share a few parents, and their values need not outlive their
 * write (keeping every row's values until the end made them survive the
 * young-generation collections of a large page).
 */
export class TouchedRows {
  readonly #foreignKeys: readonly TrackedForeignKey[];
  readonly #keys: SqlValue[][] = [];
  /** Per row, one entry per foreign key: its parent, null for a NULL in it, {@link UNKNOWN} for values not known. */
  readonly #parents: (Parent | null | typeof UNKNOWN)[] = [];
  /** Per foreign key: its parents by value (a one-column value names itself). */
  readonly #byValue: Map<unknown, Parent>[];

  /** @param foreignKeys - the table's foreign keys (at least one) */
  constructor(foreignKeys: readonly TrackedForeignKey[]) {
    this.#foreignKeys = foreignKeys;
    this.#byValue = foreignKeys.map(() => new Map<unknown, Parent>());
  }

  /** Records a row: `row` its values in column order, undefined when not known here (its parents are then read at the end). */
  add(key: SqlValue[], row: readonly SqlValue[] | undefined): void {
    this.#keys.push(key);
    for (let i = 0; i < this.#foreignKeys.length; i += 1) {
      this.#parents.push(row === undefined ? UNKNOWN : this.#parentOf(i, row));
    }
  }

  #parentOf(index: number, row: readonly SqlValue[]): Parent | null {
    const columns = (this.#foreignKeys[index] as TrackedForeignKey).fromColumns;
    const only = columns.length === 1 ? (row[(columns[0] as TrackedColumn).index] ?? null) : undefined;
    let id: unknown = only;
    let values: SqlValue[] | undefined;
    if (only === null) return null;
    if (!(typeof only === 'string' || typeof only === 'bigint' || typeof only === 'number')) {
      // Several columns, or a value a Map would not compare by content (a blob, text kept as bytes).
      values = columns.map((column) => row[column.index] ?? null);
      if (values.some((value) => value === null)) return null;
      id = valuesId(values);
    }
    const parents = this.#byValue[index] as Map<unknown, Parent>;
    let parent = parents.get(id);
    if (parent === undefined) {
      parent = new Parent(values ?? [only as SqlValue]);
      parents.set(id, parent);
    }
    return parent;
  }

  /**
   * Keys of the rows that may be orphans, in the order they were recorded: a
   * row whose values are not known, or with a foreign key whose parent
   * `parentVisible` does not find (asked once per distinct parent).
   */
  maybeOrphans(parentVisible: (fk: TrackedForeignKey, values: readonly SqlValue[]) => boolean): SqlValue[][] {
    const stride = this.#foreignKeys.length;
    const found: SqlValue[][] = [];
    for (let row = 0; row < this.#keys.length; row += 1) {
      for (let i = 0; i < stride; i += 1) {
        const parent = this.#parents[row * stride + i];
        if (parent === null || parent === undefined) continue;
        if (parent !== UNKNOWN) {
          parent.missing ??= !parentVisible(this.#foreignKeys[i] as TrackedForeignKey, parent.values);
          if (!parent.missing) continue;
        }
        found.push(this.#keys[row] as SqlValue[]);
        break;
      }
    }
    return found;
  }
}
