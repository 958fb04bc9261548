import type { ColumnSchema, ForeignKeySchema, TableSchema } from './table-schema';

/** A tracked column: its schema plus the stable id that names it in change masks. */
export interface TrackedColumn extends ColumnSchema {
  /** Stable id (0–62), never reused for another column of the table. */
  readonly id: number;
  /** Position in the table's columns (the index in row arrays). */
  readonly index: number;
}

/** A UNIQUE index of a tracked table. */
export interface TrackedUnique {
  /** Its columns, in index order. */
  readonly columns: readonly TrackedColumn[];
  /** The collation of each column. */
  readonly collations: readonly string[];
  /** How messages name it, e.g. `UNIQUE (match_id, team_id, scout)`. */
  readonly label: string;
  /**
   * Names it as it compares: its label, with the collation of each column not
   * compared BINARY (`UNIQUE (w COLLATE NOCASE)`). Two UNIQUE indexes on the
   * same columns under other collations share a label but not this: it keys
   * the statements probing the constraint and the parked rows' `_sync_blocker`.
   */
  readonly ref: string;
}

/** The {@link TrackedUnique.ref} of a UNIQUE index on `columns` compared under `collations`. */
export function uniqueRef(columns: readonly string[], collations: readonly string[]): string {
  return `UNIQUE (${columns.map((column, i) => ((collations[i] ?? 'BINARY').toUpperCase() === 'BINARY' ? column : `${column} COLLATE ${collations[i] ?? ''}`)).join(', ')})`;
}

/** A foreign key of a tracked table, with its child columns resolved. */
export interface TrackedForeignKey extends ForeignKeySchema {
  /** The child columns, in order. */
  readonly fromColumns: readonly TrackedColumn[];
}

/** A tracked table as the capture, reader and merger see it. */
export interface TrackedTable {
  /** Id in `_sync_tables`, used in the metadata instead of the name. */
  readonly id: number;
  readonly name: string;
  /** Every column in declaration order. */
  readonly columns: readonly TrackedColumn[];
  /** Key columns in primary-key order. */
  readonly key: readonly TrackedColumn[];
  /** Columns that are not part of the key, in declaration order. */
  readonly values: readonly TrackedColumn[];
  /** Non-key columns by name. */
  readonly valuesByName: ReadonlyMap<string, TrackedColumn>;
  /** Non-key columns by stable id. */
  readonly valuesById: ReadonlyMap<number, TrackedColumn>;
  readonly foreignKeys: readonly TrackedForeignKey[];
  readonly uniques: readonly TrackedUnique[];
  /** Stable ids of the non-key columns in some UNIQUE index: the cells whose clocks make a row's claim. */
  readonly claimColumnIds: ReadonlySet<number>;
}

/** Builds the tracked view of a table from its schema and its columns' stable ids. */
export function trackTable(id: number, schema: TableSchema, columnIds: ReadonlyMap<string, number>): TrackedTable {
  const columns = schema.columns.map((column, index) => {
    const columnId = columnIds.get(column.name);
    if (columnId === undefined) throw new Error(`no stable id for ${schema.name}.${column.name}`);
    return { ...column, id: columnId, index };
  });
  const byName = new Map(columns.map((column) => [column.name, column]));
  // inspectTable refuses constraints on generated (untracked) columns: a name not found here is a bug, never dropped silently.
  const resolve = (names: readonly string[]): TrackedColumn[] =>
    names.map((name) => {
      const column = byName.get(name);
      if (column === undefined) throw new Error(`express-sqlite-sync: internal error: a constraint of ${schema.name} names "${name}", which is not a tracked column`);
      return column;
    });
  const key = columns.filter((column) => column.pk > 0).sort((a, b) => a.pk - b.pk);
  const values = columns.filter((column) => column.pk === 0);
  const uniques = schema.uniques.map((unique) => ({
    columns: resolve(unique.columns),
    collations: unique.collations,
    label: `UNIQUE (${unique.columns.join(', ')})`,
    ref: uniqueRef(unique.columns, unique.collations),
  }));
  const foreignKeys = schema.foreignKeys
    .map((fk) => ({ ...fk, fromColumns: resolve(fk.from) }))
    .filter((fk) => fk.to.length === fk.from.length);
  return {
    id,
    name: schema.name,
    columns,
    key,
    values,
    valuesByName: new Map(values.map((column) => [column.name, column])),
    valuesById: new Map(values.map((column) => [column.id, column])),
    foreignKeys,
    uniques,
    claimColumnIds: new Set(uniques.flatMap((unique) => unique.columns.filter((column) => column.pk === 0).map((column) => column.id))),
  };
}
