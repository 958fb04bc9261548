import path from 'node:path';
import type Database from 'better-sqlite3';
import { CLI_COMMAND } from '../cli-command';
import { openedName } from './opened-name';
import { shellWord } from '../shell-word';

/** The fix's word for a database this server cannot name: another server's, or one without a file. */
export const ITS_DATABASE = '<its database>';

/**
 * The file a connection's database lives in, as an absolute path (a relative
 * name is resolved against the working folder now, as SQLite opened it);
 * undefined for an in-memory or temporary database (`:memory:`, `''`) or a
 * `file:` URI.
 */
export function databaseFileOf(db: Database.Database): string | undefined {
  const name = openedName(db);
  if (db.memory || name === '' || name === ':memory:' || name.startsWith('file:')) return undefined;
  return path.resolve(name);
}

/**
 * The command that gives a database file a new site id, to copy into a
 * terminal: `npx express-sqlite-sync new-site-id --db <file>` with the file as one
 * shell word, or with {@link ITS_DATABASE} when there is none to name.
 */
export function newSiteIdCommand(file: string | undefined): string {
  return `${CLI_COMMAND} new-site-id --db ${file === undefined ? ITS_DATABASE : shellWord(file)}`;
}

/**
 * The fix for a copy that may be this server or the other one: `stop it and
 * run \`…\`` naming this server's file and, for the other, the placeholder
 * (only the placeholder when this server's database has no file).
 * @param copy - the words for the copy (`it`, `the copy`)
 */
export function stopCopyFix(file: string | undefined, copy = 'it'): string {
  const other = `\`${newSiteIdCommand(undefined)}\``;
  if (file === undefined) return `stop ${copy} and run ${other}`;
  return `stop ${copy} and run \`${newSiteIdCommand(file)}\` when it is this server, ${other} on the other one`;
}
