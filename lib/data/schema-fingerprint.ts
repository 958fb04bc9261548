import { createHash } from 'node:crypto';
import { bareNameInMessage } from './sql-names';
import type { TableSchema } from './table-schema';
import type { ColumnDescription, SchemaDescription } from './wire-schema';

/** Hashes a schema description's tables in a stable order. */
export function fingerprintOf(tables: Readonly<Record<string, readonly ColumnDescription[]>>): string {
  const names = Object.keys(tables).sort();
  const canonical = names.map((name) => [name, tables[name]]);
  return createHash('sha256').update(JSON.stringify(canonical)).digest('hex');
}

/** Describes tracked tables for `/data/info` and for every changeset. */
export function describeSchema(tables: readonly TableSchema[]): SchemaDescription {
  const described: Record<string, ColumnDescription[]> = {};
  for (const table of tables) described[table.name] = table.columns.map((column) => [column.name, column.type, column.pk]);
  return { fingerprint: fingerprintOf(described), tables: described };
}

function describeColumn(column: ColumnDescription): string {
  return `${column[0]} ${column[1] || '(no type)'}${column[2] > 0 ? ` key#${column[2]}` : ''}`;
}

function diffTable(name: string, ours: readonly ColumnDescription[], theirs: readonly ColumnDescription[]): string[] {
  const differences: string[] = [];
  const theirsByName = new Map(theirs.map((column) => [column[0], column]));
  const oursByName = new Map(ours.map((column) => [column[0], column]));
  for (const column of ours) {
    const other = theirsByName.get(column[0]);
    if (other === undefined) differences.push(`${name}.${column[0]} exists only here`);
    else if (describeColumn(other) !== describeColumn(column)) {
      differences.push(`${name}.${column[0]} is ${describeColumn(column)} here but ${describeColumn(other)} on the sender`);
    }
  }
  for (const column of theirs) if (!oursByName.has(column[0])) differences.push(`${name}.${column[0]} exists only on the sender`);
  if (differences.length === 0 && ours.map((c) => c[0]).join() !== theirs.map((c) => c[0]).join()) {
    differences.push(`${name} has its columns in another order`);
  }
  return differences;
}

/**
 * Names every table and column that differs between two schema descriptions,
 * from the receiver's point of view ("here" versus "on the sender").
 */
export function diffSchemas(ours: SchemaDescription, theirs: SchemaDescription): string[] {
  const differences: string[] = [];
  for (const [name, columns] of Object.entries(ours.tables)) {
    const other = Object.hasOwn(theirs.tables, name) ? theirs.tables[name] : undefined;
    if (other === undefined) differences.push(`table ${name} is tracked only here`);
    else differences.push(...diffTable(name, columns, other));
  }
  for (const name of Object.keys(theirs.tables)) if (!Object.hasOwn(ours.tables, name)) differences.push(`table ${bareNameInMessage(name)} is tracked only on the sender`);
  return differences;
}

/** At most this many differences are named in a message; the rest are counted. */
const MAX_NAMED_DIFFERENCES = 20;

/** Differences as one line for a message: the first 20 named, the rest counted, every name printable. */
export function differencesInWords(differences: readonly string[]): string {
  // eslint-disable-next-line no-control-regex
  const named = differences.slice(0, MAX_NAMED_DIFFERENCES).map((difference) => difference.replace(/[\u0000-\u001f\u007f-\u009f]/g, '\ufffd'));
  const rest = differences.length - named.length;
  return rest > 0 ? `${named.join('; ')}; and ${rest} more` : named.join('; ');
}
