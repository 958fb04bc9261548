/**
 * Quotes an SQL identifier for SQLite (`"name"` with inner quotes doubled).
 * Only names read from the database's own schema are ever quoted into SQL
 * text; names arriving from the wire are matched against that schema first.
 */
export function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/**
 * A name as SQLite compares names: ASCII letters folded to lower case, nothing else ("Équipe" is not
 * "équipe", which `toLowerCase` would fold together).
 */
export function foldName(name: string): string {
  return name.replace(/[A-Z]+/g, (letters) => letters.toLowerCase());
}

/** Prefix of every table, index and trigger express-sqlite-sync creates. */
export const META_PREFIX = '_sync_';

/** The sync metadata tables (see `META_DDL`, the transport cursors and the parked rows): an app table that merely starts with `_sync_` is not one. */
export const METADATA_TABLE = /^_sync_(?:state|sites|tables|columns|log|rows|cells|peers|peer_views|pushed|marks|transport_cursors|parked_\d+)$/;

/** True for names SQLite or express-sqlite-sync reserve for themselves. */
export function isReservedName(name: string): boolean {
  const lower = name.toLowerCase();
  return lower.startsWith(META_PREFIX) || lower.startsWith('sqlite_');
}

/** Characters of a name from the wire a message shows at most. */
const NAME_SHOWN = 100;

/**
 * A name from the wire as an error message shows it: JSON-quoted, and cut to its
 * first 100 characters (with `…`): the JSON Schema does not bound every name, and
 * a refusal of a name of MiBs must not echo it back whole, nor write it to the log.
 */
export function nameInMessage(name: string): string {
  return name.length <= NAME_SHOWN ? JSON.stringify(name) : `${JSON.stringify(name.slice(0, NAME_SHOWN))}… (${name.length} characters)`;
}

/** The same as {@link nameInMessage}, unquoted (where the message names a table as it is). */
export function bareNameInMessage(name: string): string {
  return name.length <= NAME_SHOWN ? name : `${name.slice(0, NAME_SHOWN)}… (${name.length} characters)`;
}
