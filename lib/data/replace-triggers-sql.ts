import { HLC_SQL, keySql, NOT_APPLYING, OP, sameKeySql, triggerNames } from './capture-sql';
import { heldInOtherFormSql, keyHoldsTwoForms, reformedRowSql, storedKeyPart } from './reform-trigger-sql';
import { quoteIdent } from './sql-names';
import type { TrackedTable } from './tracked-table';

/**
 * BEFORE UPDATE OF the key: an `UPDATE OR REPLACE` moving a row onto a live row's key deletes that row with no
 * delete trigger. The moved row's insert usually stands for it (the same life written whole), but when the
 * statement's own foreign-key action deletes the moved row too (a child moved onto its parent's key, ON DELETE
 * CASCADE), no AFTER trigger fires: the row the key held is logged first (op 4), and the fold confirms it gone.
 * When the moved row holds that key in another form (`1.0` onto `1`), the held row is also logged as reformed
 * (op 5): the moved row's insert is then the key's next life, in its new form (see reform-trigger-sql.ts).
 * The key is read as the UPDATE stores it ({@link storedKeyPart}): `SET k = NULL` under REPLACE stores the
 * column's DEFAULT.
 */
export function replaceKeyTriggerSql(table: TrackedTable): string {
  const name = quoteIdent(triggerNames(table.id)[6] ?? '');
  const held = table.key.map((column) => `v.${quoteIdent(column.name)} = ${storedKeyPart(column)}`).join(' AND ');
  const stored = table.key.map((column) => `${storedKeyPart(column)} AS ${quoteIdent(column.name)}`).join(', ');
  const logged = `INSERT INTO _sync_log (tbl, op, pk, cols, hlc) SELECT ${table.id}, ${OP.replaced}, ${keySql(table, 'n')}, 0, ${HLC_SQL} FROM (SELECT ${stored}) AS n;`;
  const reformed = keyHoldsTwoForms(table) ? ` OR ${heldInOtherFormSql(table, storedKeyPart)}` : '';
  return `CREATE TRIGGER ${name} BEFORE UPDATE OF ${table.key.map((column) => quoteIdent(column.name)).join(', ')} ON ${quoteIdent(table.name)}
WHEN NOT (${sameKeySql(table)}) AND (EXISTS (SELECT 1 FROM ${quoteIdent(table.name)} AS v WHERE ${held})${reformed})
BEGIN ${logged} ${reformedRowSql(table, storedKeyPart)} END;`;
}

/** For each UNIQUE index: the SQL condition "row `v` holds NEW's values and is not the row itself (`self`)". */
function holdsNewValues(table: TrackedTable, self: string): string[] {
  const notSelf = table.key.map((column) => `v.${quoteIdent(column.name)} IS ${self}.${quoteIdent(column.name)}`).join(' AND ');
  return table.uniques.map((unique) => {
    const match = unique.columns.map((column, i) => `v.${quoteIdent(column.name)} = NEW.${quoteIdent(column.name)} COLLATE ${unique.collations[i] ?? 'BINARY'}`).join(' AND ');
    return `${match} AND NOT (${notSelf})`;
  });
}

/** The trigger's WHEN: some row holds NEW's values in a UNIQUE index (one index probe each; usually false). */
function replaceWhen(table: TrackedTable, self: string): string {
  return holdsNewValues(table, self)
    .map((condition) => `EXISTS (SELECT 1 FROM ${quoteIdent(table.name)} AS v WHERE ${condition})`)
    .join(' OR ');
}

/** Logs the rows holding NEW's values (unless a merge is applying): the rows a REPLACE would delete. */
function replacedRowsSql(table: TrackedTable, self: string): string {
  return holdsNewValues(table, self)
    .map((condition) => `INSERT INTO _sync_log (tbl, op, pk, cols, hlc) SELECT ${table.id}, ${OP.replaced}, ${keySql(table, 'v')}, 0, ${HLC_SQL} FROM ${quoteIdent(table.name)} AS v WHERE ${condition} AND ${NOT_APPLYING};`)
    .join('\n  ');
}

/**
 * BEFORE INSERT / UPDATE triggers of a table with UNIQUE indexes: a REPLACE
 * deletes the rows holding the new values without firing delete triggers
 * (unless `recursive_triggers` is on), so the rows it may delete are logged
 * first, and the fold confirms they are gone. The WHEN clause only probes the
 * UNIQUE indexes, so an ordinary insert pays one index probe per index and no
 * statement. Empty for a table without UNIQUE indexes.
 */
export function createReplaceTriggersSql(table: TrackedTable): string {
  if (table.uniques.length === 0) return '';
  const on = quoteIdent(table.name);
  const [, , , , insert, update] = triggerNames(table.id).map(quoteIdent);
  const columns = [...new Set(table.uniques.flatMap((unique) => unique.columns.map((column) => quoteIdent(column.name))))].join(', ');
  return `
CREATE TRIGGER ${insert} BEFORE INSERT ON ${on} WHEN ${replaceWhen(table, 'NEW')}
BEGIN
  ${replacedRowsSql(table, 'NEW')}
END;
CREATE TRIGGER ${update} BEFORE UPDATE OF ${columns} ON ${on} WHEN ${replaceWhen(table, 'OLD')}
BEGIN
  ${replacedRowsSql(table, 'OLD')}
END;
`;
}
