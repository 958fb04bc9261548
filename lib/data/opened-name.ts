import type Database from 'better-sqlite3';

/**
 * The name of the file SQLite opened for a connection: better-sqlite3 opens its
 * file name with leading and trailing blanks trimmed (`new Database('app.db ')`
 * opens `app.db`), while `db.name` keeps the name as given. Every path this
 * package derives from a database (its file identity, its served-mark file, the
 * file the file routes never open, a snapshot's source) starts from this one.
 */
export function openedName(db: Database.Database): string {
  return db.name.trim();
}
