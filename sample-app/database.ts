import Database from 'better-sqlite3';
import path from 'node:path';
import { createScoutingSchema } from './scouting-schema';

/** File name of the sample app's database inside `<DATA_DIR>/instance/`. */
export const DATABASE_FILE = 'app.db';

/**
 * Opens (creating if needed) the sample app's SQLite database in WAL mode,
 * with foreign keys on and a busy timeout so sync and requests can share it.
 */
export function openSampleDatabase(dataDir: string): Database.Database {
  const db = new Database(path.join(dataDir, 'instance', DATABASE_FILE));
  db.pragma('journal_mode = WAL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  // `value` has no declared type: it keeps any SQLite value as it is (-0.0, integers beyond 2^53, blobs).
  db.exec(`CREATE TABLE IF NOT EXISTS app_events (
    id TEXT PRIMARY KEY NOT NULL,
    at TEXT NOT NULL,
    kind TEXT NOT NULL,
    detail TEXT,
    value
  )`);
  if (db.prepare("SELECT 1 FROM pragma_table_info('app_events') WHERE name = 'value'").safeIntegers(false).get() === undefined) db.exec('ALTER TABLE app_events ADD COLUMN value');
  createScoutingSchema(db);
  return db;
}
