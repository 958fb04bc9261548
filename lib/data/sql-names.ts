/**
 * Quotes an SQL identifier for SQLite (`"name"` with inner quotes doubled).
 * Only names read from the database's own schema are ever quoted into SQL
 * text; names arriving from the wire are matched against that schema first.
 */
export function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/** Prefix of every table, index and trigger express-sqlite-sync creates. */
export const META_PREFIX = '_sync_';

/** True for names SQLite or express-sqlite-sync reserve for themselves. */
export function isReservedName(name: string): boolean {
  const lower = name.toLowerCase();
  return lower.startsWith(META_PREFIX) || lower.startsWith('sqlite_');
}
