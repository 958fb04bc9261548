import { existsSync } from 'node:fs';
import path from 'node:path';
import { sideFileStart } from './file-policy';

/** The rule a side file's name follows, as a refusal names it. */
export const SIDE_FILE_NAME_RULE = "a name ending in -wal, -shm, -journal, a super-journal's -mj…, or the sync server's -syncmark is taken for a side file of the database it follows";

/**
 * Why a database cannot be written at `given`: its file name is that of a side file of another database
 * (`x.db-wal`, `x.db-shm`, `x.db-journal`, `x.db-syncmark`, SQLite's super-journal `x.db-mj0a1b2c9d3`; also
 * in another case or folded, as the file policy compares names). SQLite deletes, rolls back or overwrites
 * such a file beside `x.db`, and the file guard never lists, uploads or downloads it.
 * @param given - the path as given (the message names it so)
 * @returns the reason, starting "named as the <suffix> of <database>", or undefined for any other name
 */
export function sideFileNameReason(given: string): string | undefined {
  const name = path.basename(given);
  const start = sideFileStart(name);
  if (start === undefined) return undefined;
  return `named as the ${name.slice(start)} of ${name.slice(0, start)}: ${SIDE_FILE_NAME_RULE} (SQLite deletes, rolls back or overwrites it, and sync never lists it); choose a name without such an ending`;
}

/**
 * Why a database cannot be written at `target` when the folders it needs are made: one of them, missing now, is
 * named as a side file of another database (`events/x.db-wal/app.db`, `store.db-journal/app.db`). A folder under
 * that name keeps SQLite from opening the database beside it (`x.db` in WAL mode: `SQLITE_CANTOPEN`; a
 * rollback-journal database's next write: a disk I/O error). A folder that exists already is not this call's to judge.
 * @param given - the path as given (the message names it so)
 * @returns the reason, starting "would make the folder <folder>", or undefined when no such folder would be made
 */
export function sideNamedFolderReason(given: string): string | undefined {
  let outermost: string | undefined;
  for (let dir = path.dirname(path.resolve(given)); path.dirname(dir) !== dir && !existsSync(dir); dir = path.dirname(dir)) {
    if (sideFileStart(path.basename(dir)) !== undefined) outermost = dir;
  }
  if (outermost === undefined) return undefined;
  const name = path.basename(outermost);
  const start = sideFileStart(name) ?? name.length;
  return `${given} would make the folder ${outermost}, named as the ${name.slice(start)} of ${name.slice(0, start)}: a folder under a side file's name keeps SQLite from opening that database; choose a folder name without such an ending`;
}
