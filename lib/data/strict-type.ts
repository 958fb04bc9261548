import type Database from 'better-sqlite3';
import type { TrackedColumn } from './tracked-table';
import { TextBytes, type SqlValue } from './values';

/** The declared types a STRICT table allows (and nothing else reaches the probe's SQL). */
const STRICT_TYPES = /^(?:INT|INTEGER|REAL|TEXT|BLOB)$/;

/**
 * SQLite's own verdict on storing `value` in `column` of a STRICT table: its
 * refusal message, or undefined when the column takes it (after its lossless
 * conversions) or the table is not STRICT. Asked of a temp STRICT table of
 * the column's type, in a savepoint rolled back at once. A parked row's table
 * has no types, so the values written to one are asked here: without it a
 * restore the column refuses was answered 409 "still parked (CHECK…)", and a
 * merge parked a value that the table of every other server refused.
 */
export function strictTypeRefusal(db: Database.Database, table: string, column: TrackedColumn, value: SqlValue): string | undefined {
  if (value === null || !STRICT_TYPES.test(column.type)) return undefined;
  if (db.prepare("SELECT strict FROM pragma_table_list WHERE schema = 'main' AND name = ?").pluck().safeIntegers(false).get(table) !== 1) return undefined;
  db.exec('SAVEPOINT _sync_type_probe');
  try {
    db.exec(`CREATE TEMP TABLE _sync_type_probe (v ${column.type}) STRICT`);
    const text = value instanceof TextBytes;
    db.prepare(`INSERT INTO temp._sync_type_probe VALUES (${text ? 'CAST(? AS TEXT)' : '?'})`).run(text ? value.bytes : value);
    return undefined;
  } catch (error) {
    if ((error as { code?: unknown }).code !== 'SQLITE_CONSTRAINT_DATATYPE') throw error;
    return (error as Error).message.replace('_sync_type_probe.v', `${table}.${column.name}`);
  } finally {
    db.exec('ROLLBACK TO _sync_type_probe; RELEASE _sync_type_probe');
  }
}
