import { columnAffinity, type Affinity } from './key-affinity';
import { quoteIdent } from './sql-names';
import type { TrackedColumn, TrackedForeignKey, TrackedTable } from './tracked-table';
import { bindable, placeholderOf, TextBytes, type SqlValue } from './values';

/** A value as bound to a statement. */
type Bound = ReturnType<typeof bindable>;

/** A piece of a WHERE clause and the values its placeholders take, in order. */
interface Term {
  readonly sql: string;
  readonly params: readonly Bound[];
}

/** A query for the keys of the rows of a child table that point at one parent row, and its parameters. */
export interface ChildLookup {
  readonly sql: string;
  readonly params: Bound[];
}

const NUMERIC_AFFINITIES: ReadonlySet<Affinity> = new Set(['INTEGER', 'NUMERIC', 'REAL']);

/** The parent column's collation: BINARY for a key column (enableCapture refuses others), else that of the UNIQUE index the foreign key uses. */
function parentCollation(parent: TrackedTable, to: readonly string[], name: string): string {
  const unique = parent.uniques.find((index) => index.columns.length === to.length && index.columns.every((column) => to.includes(column.name)));
  const at = unique?.columns.findIndex((column) => column.name === name) ?? -1;
  return unique?.collations[at] ?? 'BINARY';
}

/**
 * The parent's value as an expression of the parent column's affinity: compared
 * with `+child` (no affinity), that affinity applies to the child's value, as in
 * SQLite's own foreign-key check. Each CAST leaves a value the column can hold as it is.
 */
function typedPlaceholder(affinity: Affinity, value: SqlValue): string {
  if (value instanceof TextBytes) return 'CAST(? AS TEXT)';
  if (typeof value === 'string') return affinity === 'TEXT' ? 'CAST(? AS TEXT)' : '?';
  if (typeof value === 'bigint' || typeof value === 'number') {
    if (affinity === 'REAL') return 'CAST(? AS REAL)';
    return NUMERIC_AFFINITIES.has(affinity) ? 'CAST(? AS NUMERIC)' : '?';
  }
  return '?';
}

/**
 * The numbers a TEXT affinity writes as the bound text (under `collate`), or
 * NULL: the other forms a child of a TEXT parent may hold (2024 for '2024',
 * 1e20 for '1.0e+20', an infinity for 'Inf'). Eight placeholders, each the text.
 */
function numberForms(collate: string): string {
  return [
    `CASE WHEN CAST(CAST(? AS INTEGER) AS TEXT) = ? ${collate} THEN CAST(? AS INTEGER) END`,
    `CASE WHEN CAST(CAST(? AS REAL) AS TEXT) = ? ${collate} THEN CAST(? AS REAL) END`,
    `CASE WHEN ? = 'Inf' ${collate} THEN 1e999 WHEN ? = '-Inf' ${collate} THEN -1e999 END`,
  ].join(', ');
}

/**
 * A comparison the child column's own index can answer, true for at least the
 * child values the parent's affinity and collation take as `value` (the exact
 * test follows); undefined when no index probe can be sure to find them all:
 * a number under a numeric parent may be held by a TEXT or untyped child as
 * any spelling ('2024', '02024', ' 2024', '2.024e3'), so those are scanned,
 * as SQLite's own delete check scans them.
 */
function indexProbe(child: TrackedColumn, parentAffinity: Affinity, collation: string, value: SqlValue): Term | undefined {
  const column = `c.${quoteIdent(child.name)}`;
  if (typeof value === 'bigint' || typeof value === 'number') {
    if (!NUMERIC_AFFINITIES.has(parentAffinity)) return { sql: `${column} = ?`, params: [value] };
    // A numeric child column holds numbers (compared by value, as the parent's affinity leaves them) and text no affinity makes a number.
    return NUMERIC_AFFINITIES.has(columnAffinity(child)) ? { sql: `${column} = ?`, params: [value] } : undefined;
  }
  if (value === null || Buffer.isBuffer(value)) return { sql: `${column} = ?`, params: [value] };
  // Under the parent's collation, which an index of the child column with that collation answers (for BINARY the child's own: never narrower).
  const collate = `COLLATE ${quoteIdent(collation)}`;
  const on = collation.toUpperCase() === 'BINARY' ? column : `${column} ${collate}`;
  if (parentAffinity !== 'TEXT' || value instanceof TextBytes) return { sql: `${on} = ${placeholderOf(value)}`, params: [bindable(value)] };
  // `x IN (a, b)` is `x = +a OR x = +b`: the child column's affinity applies to each form, so its index finds them.
  return { sql: `${on} IN (?, ${numberForms(collate)})`, params: Array<Bound>(9).fill(value) };
}

/** The exact test: the child's value, taking the parent column's affinity and collation, equals the parent's. */
function exactMatch(child: TrackedColumn, parentAffinity: Affinity, collation: string, value: SqlValue): Term {
  return { sql: `+c.${quoteIdent(child.name)} = ${typedPlaceholder(parentAffinity, value)} COLLATE ${quoteIdent(collation)}`, params: [bindable(value)] };
}

/**
 * The query for the keys of the rows of `child` whose foreign key `fk` points
 * at the parent row holding `values` (its referenced columns, none NULL): the
 * rows SQLite's own foreign-key check pairs with it, which applies the parent
 * column's affinity and collation to the child's value (a child holding 2024
 * points at the TEXT '2024'; a TEXT child '02024' at the INTEGER 2024). It
 * probes the child column's index wherever every such spelling can be named.
 */
export function childLookup(child: TrackedTable, fk: TrackedForeignKey, parent: TrackedTable, values: readonly SqlValue[]): ChildLookup {
  const probes: Term[] = [];
  const tests: Term[] = [];
  fk.fromColumns.forEach((column, i) => {
    const name = fk.to[i] ?? '';
    const parentColumn = parent.columns.find((candidate) => candidate.name === name);
    const affinity = parentColumn === undefined ? 'BLOB' : columnAffinity(parentColumn);
    const collation = parentCollation(parent, fk.to, name);
    const value = values[i] ?? null;
    const probe = indexProbe(column, affinity, collation, value);
    if (probe !== undefined) probes.push(probe);
    tests.push(exactMatch(column, affinity, collation, value));
  });
  const keyList = child.key.map((column) => `c.${quoteIdent(column.name)}`).join(', ');
  const where = [...probes, ...tests];
  return {
    sql: `SELECT ${keyList} FROM ${quoteIdent(child.name)} AS c WHERE ${where.map((term) => term.sql).join(' AND ')}`,
    params: where.flatMap((term) => term.params),
  };
}

/**
 * The test that parked child value `child` points at parked parent value
 * `parent` (both columns of untyped parked tables, each value as its table
 * stores it), with the parent column's `affinity` applied to the child's value
 * and `collate` between them, as SQLite's own check pairs them once both are
 * back. Each leads with a comparison the parked parent's index on the column
 * (same collation) answers.
 */
function parkedColumnMatch(affinity: Affinity, collate: string, parent: string, child: string): string {
  // TEXT affinity, spelled out: a number becomes its text (as CAST writes it), anything else stays as it is.
  if (affinity === 'TEXT') return `${parent} ${collate} = (CASE WHEN typeof(${child}) IN ('integer', 'real') THEN CAST(${child} AS TEXT) ELSE ${child} END)`;
  if (!NUMERIC_AFFINITIES.has(affinity)) return `${parent} ${collate} = +${child}`;
  // A numeric affinity makes a number of well-formed text only: the probe names the child as it is and as a number, the exact test follows (as typedPlaceholder types the parent's value).
  const cast = affinity === 'REAL' ? 'REAL' : 'NUMERIC';
  const probe = `${parent} ${collate} IN (+${child}, CAST(${child} AS ${cast}))`;
  return `${probe} AND (CASE WHEN typeof(${parent}) IN ('integer', 'real') THEN +${child} = CAST(${parent} AS ${cast}) ELSE +${child} = ${parent} ${collate} END)`;
}

/**
 * SQL true when the row `childAlias` of the child's parked rows points by `fk`
 * at the row `parentAlias` of the parent's parked rows, as SQLite's own check
 * will pair them once both are back (the rule of {@link childLookup}: the
 * parent column's affinity and collation applied to the child's value). It
 * goes through the parked parent's index of the referenced columns (a parked
 * table has one per UNIQUE index, same collations, and its key), never a scan.
 */
export function parkedParentMatch(fk: TrackedForeignKey, parent: TrackedTable, parentAlias: string, childAlias: string): string {
  return fk.fromColumns
    .map((column, i) => {
      const name = fk.to[i] ?? '';
      const parentColumn = parent.columns.find((candidate) => candidate.name === name);
      const affinity = parentColumn === undefined ? 'BLOB' : columnAffinity(parentColumn);
      const collate = `COLLATE ${quoteIdent(parentCollation(parent, fk.to, name))}`;
      return parkedColumnMatch(affinity, collate, `${parentAlias}.${quoteIdent(name)}`, `${childAlias}.${quoteIdent(column.name)}`);
    })
    .join(' AND ');
}
