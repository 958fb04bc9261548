import { accessSync, constants, existsSync, lstatSync, mkdirSync, readlinkSync, statSync, type Stats } from 'node:fs';
import path from 'node:path';
import { sideFileNameReason, sideNamedFolderReason } from '../files/side-file-name';
import { shellWord } from '../shell-word';
import { SyncError } from '../sync-error';

function sameFile(a: string, b: string): boolean {
  try {
    const [x, y] = [statSync(a), statSync(b)];
    return x.dev === y.dev && x.ino === y.ino;
  } catch {
    return false;
  }
}

/** Symbolic links followed before a chain of them is called a loop (Linux's own limit). */
const MAX_LINKS = 40;

/**
 * The path a backup or restore writes to `file` through: `file` itself, or, when
 * it is a symbolic link, the file the link points to (followed link by link,
 * even to a file not there yet), as `cp` and SQLite's `.backup` write through
 * one. The copy is renamed into place, and a rename replaces a link itself: a
 * database a link keeps on a mounted volume would stay as it was, and the new
 * one land beside the link.
 * @throws SyncError `TARGET_INVALID` (400) for a loop of links
 */
export function writeTarget(file: string): string {
  let current = file;
  for (let hops = 0; hops <= MAX_LINKS; hops += 1) {
    let stats: Stats;
    try {
      stats = lstatSync(current);
    } catch {
      return current; // nothing there (yet)
    }
    if (!stats.isSymbolicLink()) return current;
    current = path.resolve(path.dirname(path.resolve(current)), readlinkSync(current));
  }
  throw new SyncError('TARGET_INVALID', 400, `${file} is a symbolic link that leads to itself (a loop of links); name the file to write`);
}

/** Why an existing `file` cannot be written as a database (a pipe, a socket, a device); undefined for a regular file or nothing there. */
export function specialFile(file: string): string | undefined {
  let stats;
  try {
    stats = statSync(file);
  } catch {
    return undefined;
  }
  if (stats.isFile() || stats.isDirectory()) return undefined; // a folder is refused with its own message
  const kind = stats.isFIFO() ? 'a named pipe' : stats.isSocket() ? 'a socket' : 'a device';
  return `${file} is ${kind}, not a file: name a file to write (nothing was written)`;
}

/** True for a folder (a symbolic link to one included). */
export function isFolder(file: string): boolean {
  try {
    return statSync(file).isDirectory();
  } catch {
    return false;
  }
}

/**
 * Why `given` names a folder where a file is wanted: an existing folder, or a path ending in a separator (`sub/`,
 * `sub\`), said by what is there: a folder, a file (the separator to drop), or nothing (a folder to make first, or not:
 * `made` says whether the command makes a missing folder itself). Undefined for a path that may name a file.
 * @param what - the file wanted, for the message (`the backup file`)
 * @param example - a file name for the example (`backup.db`)
 */
export function folderNamed(given: string, what: string, example: string, made: boolean): string | undefined {
  const separator = /[\\/]+$/.exec(given)?.[0];
  if (separator === undefined) return isFolder(given) ? `${given} is a folder; name ${what} (e.g. ${path.join(given, example)})` : undefined;
  const bare = given.slice(0, given.length - separator.length);
  const inside = path.join(bare === '' ? path.sep : bare, example);
  if (bare === '' || isFolder(bare)) return `${given} is a folder; name ${what} (e.g. ${inside})`;
  if (existsSync(bare)) return `${given} ends in ${separator.slice(-1)}, which names a folder, but ${bare} is a file: name ${what} without the ${separator.slice(-1)}`;
  const fix = made ? `e.g. ${inside}; its folder is made` : `e.g. ${inside}, once the folder is made: mkdir -p ${shellWord(bare)}`;
  return `${given} ends in ${separator.slice(-1)}, which names a folder, and there is no folder ${bare}: name ${what} (${fix})`;
}

/**
 * A backup never replaces the database it copies (a running server would go
 * on writing into the deleted file, and the next start reads a torn one), nor
 * a file under a side file's name (`x.db-wal`, a super-journal's `x.db-mj…`, a served mark: see
 * sideFileNameReason), with a database beside it or not; and its
 * folder must exist (it is not created: a mistyped path is said, not made).
 * An empty path is refused too (else the copy is made in the working folder first).
 * @throws SyncError `TARGET_INVALID` (400)
 */
export function checkBackupTarget(dbPath: string, outPath: string): void {
  if (outPath.trim() === '') throw new SyncError('TARGET_INVALID', 400, 'no backup path given: name the backup file to write (--out)');
  const named = folderNamed(outPath, 'the backup file', 'backup.db', false);
  if (named !== undefined) throw new SyncError('TARGET_INVALID', 400, named);
  const special = specialFile(outPath);
  if (special !== undefined) throw new SyncError('TARGET_INVALID', 400, special);
  const folder = path.dirname(outPath); // as the kernel walks it: `missing/../b.db` needs `missing`
  if (!existsSync(folder)) {
    throw new SyncError('TARGET_INVALID', 400, `the folder ${folder} of ${outPath} does not exist: create it first (mkdir -p ${shellWord(folder)}) or write the backup elsewhere`);
  }
  if (!isFolder(folder)) throw new SyncError('TARGET_INVALID', 400, `${folder} is not a folder: the backup cannot be written under it`);
  if (path.resolve(outPath) === path.resolve(dbPath) || sameFile(outPath, dbPath)) {
    throw new SyncError('TARGET_INVALID', 400, `${outPath} is the database being backed up; write the backup to another file`);
  }
  // Whether a database is beside it or not: one may be put there later, and SQLite would take the backup for its side file.
  const side = sideFileNameReason(outPath);
  if (side !== undefined) throw new SyncError('TARGET_INVALID', 400, `${outPath} is ${side}`);
}

/**
 * A restore writes a database file, never under a side file's name (`-wal`, `-shm`,
 * `-journal`, a super-journal's `-mj…`, `-syncmark`: written over a live WAL it loses the server's
 * data; see sideFileNameReason), a folder, or a path under a file; nor makes a missing folder named as a side
 * file (`x.db-wal/app.db`: see sideNamedFolderReason).
 * @throws SyncError `TARGET_INVALID` (400)
 */
export function checkRestoreTarget(dbPath: string): void {
  if (dbPath.trim() === '') throw new SyncError('TARGET_INVALID', 400, 'no database path given: name the database file to write (--db)');
  const named = folderNamed(dbPath, 'the database file', 'app.db', true);
  if (named !== undefined) throw new SyncError('TARGET_INVALID', 400, named);
  const special = specialFile(dbPath);
  if (special !== undefined) throw new SyncError('TARGET_INVALID', 400, special);
  const side = sideFileNameReason(dbPath);
  if (side !== undefined) throw new SyncError('TARGET_INVALID', 400, `${dbPath} is ${side}`);
  const folder = sideNamedFolderReason(dbPath);
  if (folder !== undefined) throw new SyncError('TARGET_INVALID', 400, folder);
  for (let dir = path.dirname(path.resolve(dbPath)); path.dirname(dir) !== dir; dir = path.dirname(dir)) {
    if (!existsSync(dir)) continue;
    if (!isFolder(dir)) throw new SyncError('TARGET_INVALID', 400, `${dir} is not a folder: the database cannot be written under it`);
    break;
  }
}

/**
 * Refuses a restore whose target is the backup itself (by path, link or hard
 * link): it would replace the backup with a copy of it under a new site id,
 * and no copy of the backup as it was would be left.
 * @throws SyncError `TARGET_INVALID` (400)
 */
export function refuseRestoreOntoBackup(backupPath: string, dbPath: string): void {
  if (path.resolve(backupPath) !== path.resolve(dbPath) && !sameFile(backupPath, dbPath)) return;
  throw new SyncError('TARGET_INVALID', 400, `${dbPath} is the backup being restored; restore it to the database's own path (--db), another file than the backup`);
}

/**
 * `TARGET_INVALID` naming the folder for SQLite's `SQLITE_CANTOPEN` while it
 * creates the copy beside `target` (SQLite says only "unable to open database
 * file", naming neither file nor folder); undefined for another error.
 * @param what - what was being written: `the backup`, `the restored database`
 */
export function unwritableTarget(target: string, what: string, error: unknown): SyncError | undefined {
  if ((error as { code?: unknown } | null)?.code !== 'SQLITE_CANTOPEN') return undefined;
  const folder = path.dirname(path.resolve(target));
  return new SyncError('TARGET_INVALID', 400, `${what} cannot be written in ${folder}: SQLite could not create a file there (a read-only folder or disk, or one this user may not write to); write it elsewhere`, { cause: error });
}

/** The codes of a folder this process may not make or write in. */
const UNWRITABLE_CODES: ReadonlySet<string> = new Set(['EACCES', 'EPERM', 'EROFS']);

/**
 * Makes the folder of `target` (and the ones above it that are missing) and
 * checks that a file can be made in it, before anything is downloaded or
 * copied: a read-only folder or disk, or one this user may not write to, is
 * `TARGET_INVALID` naming it, not a raw `EACCES` (or a failure once the whole
 * snapshot was sent).
 * @param what - what will be written there: `the new database`, `the restored database`
 * @returns the first folder made, as `mkdirSync` answers it (undefined when none was)
 * @throws SyncError `TARGET_INVALID` (400)
 */
export function makeFolderFor(target: string, what: string): string | undefined {
  const folder = path.dirname(path.resolve(target));
  const refusal = (error: unknown, where: string): SyncError =>
    new SyncError('TARGET_INVALID', 400, `${what} cannot be written in ${where}: no file or folder can be made there (${String((error as NodeJS.ErrnoException).code)}: a read-only folder or disk, or one this user may not write to); write it elsewhere`, { cause: error });
  const missing: string[] = [];
  for (let at = folder; !existsSync(at) && path.dirname(at) !== at; at = path.dirname(at)) missing.unshift(at);
  try {
    // One level at a time: Node's recursive mkdir loops for ever where the kernel answers ENOENT for a folder it will not make (/proc).
    for (const dir of missing) {
      try {
        mkdirSync(dir);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST' || !isFolder(dir)) throw error; // made meanwhile by another process: fine
      }
    }
  } catch (error) {
    // ENOENT: a file system that takes no new folders there (/proc)
    const code = String((error as NodeJS.ErrnoException).code);
    if (!UNWRITABLE_CODES.has(code) && code !== 'ENOENT') throw error;
    let above = path.dirname(folder);
    while (!existsSync(above) && path.dirname(above) !== above) above = path.dirname(above);
    throw refusal(error, above);
  }
  try {
    accessSync(folder, constants.W_OK | constants.X_OK);
  } catch (error) {
    if (!UNWRITABLE_CODES.has(String((error as NodeJS.ErrnoException).code))) throw error;
    throw refusal(error, folder);
  }
  return missing[0];
}

/** SQLite's own side files: found beside no database, SQLite applies them to the next file put at that name. */
export const SQLITE_SIDE_SUFFIXES: readonly string[] = ['-wal', '-shm', '-journal'];

function anyFileAt(file: string): boolean {
  try {
    lstatSync(file);
    return true;
  } catch {
    return false;
  }
}

/**
 * Refuses a target where no database is but its `-wal`, `-shm` or `-journal` is (a database deleted without
 * them, a server killed after): SQLite would apply a stale `-wal` or hot `-journal` to the new file at its
 * first open, and the backup or restored database would read as the old one, or corrupt. With `overwrite`
 * they are left to the caller to remove (`--force`), as beside a database it replaces.
 * @throws SyncError `TARGET_EXISTS` (409) naming the side file, without `overwrite`
 */
export function refuseSideFilesOfNone(target: string, overwrite: boolean): void {
  if (overwrite || anyFileAt(target)) return;
  const side = SQLITE_SIDE_SUFFIXES.find((suffix) => anyFileAt(`${target}${suffix}`));
  if (side === undefined) return;
  throw new SyncError(
    'TARGET_EXISTS',
    409,
    `${target}${side} exists beside no database (a database deleted without it?): SQLite would apply it to the new ${target} at its first open, which would then read as that old database or be corrupt; move it away (it may hold that database's last writes), or pass --force to remove it`,
  );
}
