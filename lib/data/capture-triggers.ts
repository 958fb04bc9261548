import { hasNoAffinity, HLC_SQL, keepsEqualsOfTwoClasses, keySql, logRow, OP, sameKeyFormSql, triggerNames, zeroTriggerName } from './capture-sql';
import { reformTriggerSql } from './reform-trigger-sql';
import { createReplaceTriggersSql, replaceKeyTriggerSql } from './replace-triggers-sql';
import { quoteIdent } from './sql-names';
import type { TrackedColumn, TrackedTable } from './tracked-table';

/** A column's bit of the update trigger's change mask (`renamed-columns.ts` reads it back: keep its shape). */
function changedBit(column: TrackedColumn): string {
  const name = quoteIdent(column.name);
  let test = `(NEW.${name} IS NOT OLD.${name} COLLATE BINARY)`;
  if (keepsEqualsOfTwoClasses(column)) test = `(${test} OR typeof(NEW.${name}) IS NOT typeof(OLD.${name}))`;
  return column.id === 0 ? test : `(${test} << ${column.id})`;
}

/** Column ids a table's zero triggers may carry: every id a change mask holds. */
const ZERO_TRIGGER_IDS = Array.from({ length: 64 }, (_, id) => id);

/** `DROP TRIGGER` statements for a table id (its zero triggers included, whatever its columns). */
export function dropTriggersSql(tableId: number): string {
  return [...triggerNames(tableId), ...ZERO_TRIGGER_IDS.map((id) => zeroTriggerName(tableId, id))]
    .map((name) => `DROP TRIGGER IF EXISTS ${quoteIdent(name)};`)
    .join('\n');
}

/**
 * The AFTER INSERT / UPDATE / DELETE triggers of one table, in plain SQL: each
 * appends to `_sync_log`. An UPDATE records a mask of the columns that really
 * changed; a key change is a delete plus an insert. They do not test the
 * `applying` flag (a tenth of a capture's cost): a merge's own writes, made
 * inside its write transaction, are logged and then dropped by the merge
 * before it commits (see `VisibleState.applying`), so no other connection ever
 * sees them. Tables with UNIQUE indexes also get the REPLACE triggers
 * ({@link createReplaceTriggersSql}), and tables whose key can hold one value in two storage
 * classes the reform trigger ({@link reformTriggerSql}).
 */
export function createTriggersSql(table: TrackedTable): string {
  const on = quoteIdent(table.name);
  const [insert, update, rekey, remove] = triggerNames(table.id).map(quoteIdent);
  const mask = table.values.length === 0 ? '0' : table.values.map(changedBit).join(' | ');
  const sameKey = sameKeyFormSql(table);
  return `
CREATE TRIGGER ${insert} AFTER INSERT ON ${on}
BEGIN ${logRow(table, OP.insert, 'NEW', '-1')} END;
CREATE TRIGGER ${update} AFTER UPDATE ON ${on} WHEN ${sameKey}
BEGIN
  INSERT INTO _sync_log (tbl, op, pk, cols, hlc)
  SELECT ${table.id}, ${OP.update}, ${keySql(table, 'NEW')}, m, ${HLC_SQL} FROM (SELECT ${mask} AS m) WHERE m <> 0;
END;
CREATE TRIGGER ${rekey} AFTER UPDATE ON ${on} WHEN NOT (${sameKey})
BEGIN ${logRow(table, OP.delete, 'OLD', '0')} ${logRow(table, OP.insert, 'NEW', '-1')} END;
CREATE TRIGGER ${remove} AFTER DELETE ON ${on}
BEGIN ${logRow(table, OP.delete, 'OLD', '0')} END;
${zeroTriggersSql(table)}
${replaceKeyTriggerSql(table)}
${reformTriggerSql(table)}
${createReplaceTriggersSql(table)}`;
}

/**
 * One AFTER UPDATE OF trigger per column without affinity (where a REAL keeps the sign of zero): SQL cannot tell
 * `-0.0` from `0.0` (they compare equal, and every text form drops the sign), so an UPDATE setting such a column
 * from one REAL zero to the other changed no bit of the update trigger's mask, and the peers kept the old sign. A
 * statement that sets the column while its old and new values are both REAL zeros logs the cell as changed (the
 * fold reads its value, sign included); one that does not set it logs nothing, so no other writer's value is
 * overwritten by an unchanged cell. A key column's such trigger logs a key change (a delete and an insert, as
 * {@link sameKeyFormSql} does for a change of class): the row's next life carries the key as it is stored now.
 * Empty for a table without such columns.
 */
function zeroTriggersSql(table: TrackedTable): string {
  const on = quoteIdent(table.name);
  const sameKey = sameKeyFormSql(table);
  const keyChange = `${logRow(table, OP.delete, 'OLD', '0')} ${logRow(table, OP.insert, 'NEW', '-1')}`;
  return [...table.key, ...table.values]
    .filter(hasNoAffinity)
    .map((column) => {
      const name = quoteIdent(column.name);
      const log = column.pk > 0 ? keyChange : logRow(table, OP.update, 'NEW', column.id === 0 ? '1' : `(1 << ${column.id})`);
      return `CREATE TRIGGER ${quoteIdent(zeroTriggerName(table.id, column.id))} AFTER UPDATE OF ${name} ON ${on} WHEN ${sameKey} AND ${realZeros(name)}
BEGIN ${log} END;`;
    })
    .join('\n');
}

/** The column's old and new values are both REAL zeros (`0.0` or `-0.0`: SQL cannot tell which). */
function realZeros(name: string): string {
  return `typeof(NEW.${name}) = 'real' AND NEW.${name} = 0 AND typeof(OLD.${name}) = 'real' AND OLD.${name} = 0`;
}
