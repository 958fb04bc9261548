import { hasNoAffinity, HLC_SQL, keepsEqualsOfTwoClasses, keySql, NOT_APPLYING, OP, triggerNames } from './capture-sql';
import { parkedTableName } from './parked-table-sql';
import { quoteIdent } from './sql-names';
import { storedDefaultSql } from './stored-default';
import type { TrackedColumn, TrackedTable } from './tracked-table';

/**
 * The bit of a reform log row's mask (op 5) that says the mask cannot tell the old form: a key part
 * without affinity held a REAL zero (SQL cannot read the sign of zero), or a REAL part lies past the
 * mask's bits. Bits 0 to 61 are the key's parts, set when the part was REAL.
 */
export const REFORM_UNSURE = 62;

/** True when a table's key can hold one value in two storage classes (a part without affinity, or with INTEGER or NUMERIC affinity). */
export function keyHoldsTwoForms(table: TrackedTable): boolean {
  return table.key.some(keepsEqualsOfTwoClasses);
}

/** How a trigger reads the key part NEW holds for `column`. */
export type NewPart = (column: TrackedColumn) => string;

/** NEW's key part as the statement wrote it. */
const written: NewPart = (column) => `NEW.${quoteIdent(column.name)}`;

/**
 * NEW's key part as an INSERT or an UPDATE of the key stores it: a NULL in a key column whose DEFAULT is a
 * literal is that DEFAULT as the column stores it ({@link storedDefaultSql}). A BEFORE trigger sees the NULL;
 * `OR REPLACE`, or `NOT NULL ON CONFLICT REPLACE`, then stores the default, so `INSERT OR REPLACE (k) VALUES
 * (NULL)` or `UPDATE OR REPLACE … SET k = NULL` with `DEFAULT 1.0` replaces a live `1`, an INTEGER key's
 * `DEFAULT -9223372036854775808.0` (or `'-9223372036854775808.0'`) a live INTEGER -2^63, and `DEFAULT '7'`
 * the live row 7. Other columns keep NEW as it is.
 */
export const storedKeyPart: NewPart = (column) => {
  const stored = storedDefaultSql(column);
  return stored === undefined ? written(column) : `coalesce(${written(column)}, ${stored})`;
};

/**
 * A test of NEW alone, without a probe: its key may equal a key stored in another form. A part without
 * affinity must be a number; one with INTEGER or NUMERIC affinity must be -2^63 (the one value it keeps
 * in either class).
 */
function mayMeetOtherForm(table: TrackedTable, part: NewPart): string {
  return table.key
    .filter(keepsEqualsOfTwoClasses)
    .map((column) => {
      const value = part(column);
      return hasNoAffinity(column) ? `typeof(${value}) IN ('integer', 'real')` : `${value} = -9223372036854775808`;
    })
    .join(' OR ');
}

/** Row `alias` holds NEW's key, by SQLite's own equality (`1` is `1.0`): the row a REPLACE of NEW deletes. */
function holdsNewKey(table: TrackedTable, alias: string, part: NewPart): string {
  return table.key.map((column) => `${alias}.${quoteIdent(column.name)} = ${part(column)}`).join(' AND ');
}

/**
 * 1 when the row holding NEW's key holds it in another form than NEW's (a part of another class, or REAL
 * zeros without affinity: their signs may differ), 0 when in the same, NULL when no row holds it. The
 * test is a result column of a scalar subquery, never a term of a WHERE: there, SQLite's constant
 * propagation rewrites `typeof(w.k)` as `typeof(NEW.k)` once `w.k = NEW.k` holds, for a column with
 * INTEGER or NUMERIC affinity, and the INTEGER -2^63 would never differ from the REAL.
 * @param from - the table looked in: the table itself, or its parked rows ({@link parkedTableName})
 */
function heldInOtherForm(table: TrackedTable, part: NewPart, from = table.name): string {
  const differs = table.key
    .filter(keepsEqualsOfTwoClasses)
    .map((column) => {
      const name = quoteIdent(column.name);
      const classes = `typeof(w.${name}) IS NOT typeof(${part(column)})`;
      return hasNoAffinity(column) ? `${classes} OR (typeof(w.${name}) = 'real' AND typeof(${part(column)}) = 'real' AND w.${name} = 0)` : classes;
    })
    .join(' OR ');
  return `(SELECT ${differs} FROM ${quoteIdent(from)} AS w WHERE ${holdsNewKey(table, 'w', part)})`;
}

/**
 * The row holding NEW's key in another form is in the table, or parked: a live row a UNIQUE, CHECK or
 * FOREIGN KEY rule keeps out of it (the parked rows' table has the same key, its columns without a type).
 * An insert of a parked row's key finds no row in the table, so it replaces none, but it is the same
 * life written again as well: in another form, the peers kept the parked row's.
 */
export function heldInOtherFormSql(table: TrackedTable, part: NewPart = written): string {
  return `(${heldInOtherForm(table, part)} OR ${heldInOtherForm(table, part, parkedTableName(table.id))})`;
}

/** One key part's bits of the mask of `v`'s form (see {@link REFORM_UNSURE}). */
function formBits(column: TrackedColumn, index: number): string {
  const name = quoteIdent(column.name);
  const real = `(typeof(v.${name}) = 'real')`;
  if (index >= REFORM_UNSURE) return `(${real} << ${REFORM_UNSURE})`;
  const bit = `(${real} << ${index})`;
  return hasNoAffinity(column) ? `${bit} | ((${real} AND v.${name} = 0) << ${REFORM_UNSURE})` : bit;
}

/**
 * The statements that log the row holding NEW's key in another form (op 5, its key as the metadata spells
 * it, and the mask of its form), unless a merge is applying: the table's row, or else a parked one. Empty
 * for a table whose key SQLite stores in one form only.
 */
export function reformedRowSql(table: TrackedTable, part: NewPart = written): string {
  if (!keyHoldsTwoForms(table)) return '';
  const mask = table.key.map(formBits).join(' | ');
  const parked = parkedTableName(table.id);
  const logged = (from: string, also: string) =>
    `INSERT INTO _sync_log (tbl, op, pk, cols, hlc) SELECT ${table.id}, ${OP.reformed}, ${keySql(table, 'v')}, ${mask}, ${HLC_SQL} FROM ${quoteIdent(from)} AS v WHERE ${holdsNewKey(table, 'v', part)} AND ${heldInOtherForm(table, part, from)}${also} AND ${NOT_APPLYING};`;
  const inTable = ` AND NOT EXISTS (SELECT 1 FROM ${quoteIdent(table.name)} AS w WHERE ${holdsNewKey(table, 'w', part)})`;
  return `${logged(table.name, '')} ${logged(parked, inTable)}`;
}

/**
 * BEFORE INSERT, for a table whose key can hold one value in two forms: an insert of a live row's key in
 * another form (`INSERT OR REPLACE` of `1.0` over `1`, the REAL -2^63 over the INTEGER in an INTEGER key,
 * `-0.0` over `0.0` without affinity) deletes that row with no delete trigger, and its insert trigger sees
 * a row of the same key: the same life, so the peers kept the old form. The row is logged first (op 5),
 * and the fold makes the insert that follows it the row's next life, in the new form. A statement that
 * inserts nothing (OR IGNORE, OR FAIL, an UPSERT) logs no insert: the fold then does nothing. The WHEN
 * tests NEW alone first, so most inserts pay no probe; a table whose key SQLite stores in one form only (a
 * TEXT or a REAL key) gets no trigger, and its inserts pay nothing.
 */
export function reformTriggerSql(table: TrackedTable): string {
  if (!keyHoldsTwoForms(table)) return '';
  const on = quoteIdent(table.name);
  const name = quoteIdent(triggerNames(table.id)[7] ?? '');
  return `CREATE TRIGGER ${name} BEFORE INSERT ON ${on}
WHEN (${mayMeetOtherForm(table, storedKeyPart)}) AND ${heldInOtherFormSql(table, storedKeyPart)}
BEGIN ${reformedRowSql(table, storedKeyPart)} END;`;
}
