import type { ColumnSchema, ForeignKeySchema, TableSchema } from './table-schema';

/** A tracked column: its schema plus the stable id that names it in change masks. */
export interface TrackedColumn extends ColumnSchema {
  /** Stable id (0–62), never reused for another column of the table. */
  readonly id: number;
  /** Position in the table's columns (the index in row arrays). */
  readonly index: number;
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
  readonly foreignKeys: readonly ForeignKeySchema[];
  readonly uniques: readonly (readonly string[])[];
}

/** Builds the tracked view of a table from its schema and its columns' stable ids. */
export function trackTable(id: number, schema: TableSchema, columnIds: ReadonlyMap<string, number>): TrackedTable {
  const columns = schema.columns.map((column, index) => {
    const columnId = columnIds.get(column.name);
    if (columnId === undefined) throw new Error(`no stable id for ${schema.name}.${column.name}`);
    return { ...column, id: columnId, index };
  });
  const key = columns.filter((column) => column.pk > 0).sort((a, b) => a.pk - b.pk);
  const values = columns.filter((column) => column.pk === 0);
  return {
    id,
    name: schema.name,
    columns,
    key,
    values,
    valuesByName: new Map(values.map((column) => [column.name, column])),
    valuesById: new Map(values.map((column) => [column.id, column])),
    foreignKeys: schema.foreignKeys,
    uniques: schema.uniques,
  };
}
