import { lstatSync, statSync } from 'node:fs';
import path from 'node:path';
import { folderNamed } from '../data/backup-targets';
import { DATABASE_SIDE_SUFFIXES, SERVED_MARK_SUFFIX } from '../files/file-policy';
import { sideFileNameReason, sideNamedFolderReason } from '../files/side-file-name';
import { SyncError } from '../sync-error';
import type { JoinNames } from './join-options';

/** True when something is at `file`, a symbolic link to nothing included. */
function pathExists(file: string): boolean {
  try {
    lstatSync(file);
    return true;
  } catch {
    return false;
  }
}

function isFolder(file: string): boolean {
  try {
    return statSync(file).isDirectory();
  } catch {
    return false;
  }
}

/** Longest file name a file system takes, in bytes. */
const MAX_NAME_BYTES = 255;
/** The longest side-file suffix SQLite or the server names beside a database. */
const LONGEST_SIDE_BYTES = Math.max(...DATABASE_SIDE_SUFFIXES.map((suffix) => Buffer.byteLength(suffix)));

/**
 * Refuses a database name too long for the files beside it (`-journal`,
 * `-wal`, `-shm`, `-syncmark`): SQLite could not open the database (it looks
 * for its journal at every read), and link(2) fails on a name over 255 bytes
 * only once the whole snapshot is downloaded.
 * @throws SyncError `TARGET_INVALID` (400)
 */
function refuseLongName(target: string, db: string): void {
  const bytes = Buffer.byteLength(path.basename(target));
  const most = MAX_NAME_BYTES - LONGEST_SIDE_BYTES;
  if (bytes > most) throw new SyncError('TARGET_INVALID', 400, `${db}: its file name is ${bytes} bytes long; files named after it go beside a database (SQLite's -journal, -wal, -shm, the server's ${SERVED_MARK_SUFFIX}: ${bytes + LONGEST_SIDE_BYTES} bytes, over the ${MAX_NAME_BYTES} a file name may have): choose a name of at most ${most} bytes`);
}

/**
 * Refuses a target whose file name ends with a blank (what `String.prototype.trim`
 * drops: a space, a tab, a no-break space): better-sqlite3 trims the name of a
 * file it opens, so the pull after the snapshot opened `app.db`, an empty
 * database made beside the snapshot placed at `app.db `, and a server would too.
 * (The target is absolute here: a blank at its start is inside the path.)
 * @throws SyncError `TARGET_INVALID` (400)
 */
function refuseBlankEnd(target: string, db: string): void {
  if (target.trimEnd() === target) return;
  throw new SyncError('TARGET_INVALID', 400, `${JSON.stringify(db)}: its file name ends with a blank, which SQLite's driver drops from a file name it opens, so the new database would be opened as ${JSON.stringify(target.trimEnd())}, another file: choose a name without it`);
}

/**
 * Refuses a target under a file: the first of its folders that exists must
 * be a folder (the missing ones are made), as the kernel would find it only
 * after the whole snapshot was downloaded.
 * @throws SyncError `TARGET_INVALID` (400)
 */
function refuseFileAbove(target: string): void {
  for (let dir = path.dirname(target); ; dir = path.dirname(dir)) {
    if (pathExists(dir)) {
      if (!isFolder(dir)) throw new SyncError('TARGET_INVALID', 400, `${dir} is not a folder: the new database cannot be created under it`);
      return;
    }
    if (path.dirname(dir) === dir) return;
  }
}

/**
 * Checks where a join puts its new database, before anything is made or
 * downloaded, and returns it resolved (`missing/../app.db` is `app.db`, as
 * `restore` takes it: the folders are made for the path as resolved). It
 * refuses a target that exists, or whose `-wal`, `-shm` or `-journal` does,
 * or one named as such a side file, a super-journal (`-mj…`) or a served mark
 * (`-syncmark`): a snapshot never lands on a database, live or not, nor where
 * SQLite or a server would delete or write over it.
 * @param db - the path as given (messages name it so)
 * @throws SyncError `TARGET_EXISTS` (409); `TARGET_INVALID` (400) for an empty path, a folder, a path under a file, a file name ending with a blank, too long for the side files beside it, named as a side file (see sideFileNameReason), or needing a missing folder so named (sideNamedFolderReason)
 */
export function checkJoinTarget(db: string, names: JoinNames): string {
  if (db.trim() === '') throw new SyncError('TARGET_INVALID', 400, `no database path given: name the new database file (${names.db})`);
  const target = path.resolve(db);
  const named = folderNamed(db, 'the new database file', 'app.db', true);
  if (named !== undefined) throw new SyncError('TARGET_INVALID', 400, named);
  refuseBlankEnd(target, db);
  refuseFileAbove(target);
  refuseLongName(target, db);
  // The side files SQLite keeps beside a database, and the served mark the server keeps (it would overwrite the new database).
  const side = sideFileNameReason(db);
  if (side !== undefined) throw new SyncError('TARGET_INVALID', 400, `${db} is ${side}`);
  const folder = sideNamedFolderReason(db);
  if (folder !== undefined) throw new SyncError('TARGET_INVALID', 400, folder);
  for (const suffix of DATABASE_SIDE_SUFFIXES.filter((one) => one !== SERVED_MARK_SUFFIX)) {
    if (pathExists(`${target}${suffix}`)) throw new SyncError('TARGET_EXISTS', 409, `${db}${suffix} exists: join creates a new database and never replaces one; choose a new path, or move the old database away (with its server stopped)`);
  }
  return target;
}
