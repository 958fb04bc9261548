import { keySql, OP } from './capture-sql';
import { quoteIdent } from './sql-names';
import type { TrackedTable } from './tracked-table';

/**
 * The clock of a row found without metadata (written before its table was tracked here, or while it
 * had no capture triggers): older than every captured write, so an edit or a creation captured on any
 * server wins over it, and two such births of one row settle by site. Capture cannot tell when such a
 * row was written; stamping it "now" would let the server that starts tracking a table last overwrite
 * every edit the others made since they started.
 */
export const UNCAPTURED_HLC = 0;

/**
 * Logs an insert for every row of a table that has no metadata yet (rows that
 * predate capture), at {@link UNCAPTURED_HLC}, unless the log already holds a write of it not folded yet
 * (folding that gives it its metadata; logging it again would stamp a second,
 * newer birth on a row written earlier). Follow it with a sentinel of the clock as it was (`keepClock`).
 */
export function backfillSql(table: TrackedTable): string {
  const key = keySql(table, 't');
  return `INSERT INTO _sync_log (tbl, op, pk, cols, hlc)
SELECT ${table.id}, ${OP.insert}, ${key}, -1, ${UNCAPTURED_HLC} FROM ${quoteIdent(table.name)} AS t
WHERE NOT EXISTS (SELECT 1 FROM _sync_rows AS r WHERE r.tbl = ${table.id} AND r.pk = ${key})
AND ${key} NOT IN (SELECT l.pk FROM _sync_log AS l WHERE l.tbl = ${table.id} AND l.seq > (SELECT folded FROM _sync_state WHERE id = 1))`;
}
