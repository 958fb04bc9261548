import { accessSync, closeSync, constants, mkdirSync, openSync, readSync, statSync } from 'node:fs';
import path from 'node:path';
import { isDatabaseHeader } from '../index';

/** The sync roots the sample app keeps under its data directory. */
export const SAMPLE_ROOTS = ['instance', 'config', 'uploads', 'logs', 'static'] as const;

/** True when `file` is a regular file that starts with SQLite's header. */
function isDatabaseFile(file: string): boolean {
  try {
    if (!statSync(file).isFile()) return false;
    const fd = openSync(file, 'r');
    try {
      const header = Buffer.alloc(16);
      return readSync(fd, header, 0, 16, 0) === 16 && isDatabaseHeader(header);
    } finally {
      closeSync(fd);
    }
  } catch {
    return false; // unreadable: the caller's message about a file stands
  }
}

/**
 * `mkdir -p`, one folder at a time: a folder is made only once its parent is
 * there, and a parent that exists but still cannot hold it ends the walk with
 * that error. Node's `mkdirSync(…, { recursive: true })` spins at 100% CPU
 * forever there (procfs answers ENOENT for a folder it can never hold, so
 * Node makes the parent, which exists, and tries again).
 * @throws the file system's error (ENOENT, ENOTDIR, EACCES…)
 */
function makeFolder(folder: string): void {
  try {
    mkdirSync(folder);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') {
      if (!statSync(folder).isDirectory()) throw error; // a file, or a symbolic link to one (a dangling one throws ENOENT)
      return;
    }
    const parent = path.dirname(folder);
    if (code !== 'ENOENT' || parent === folder) throw error;
    makeFolder(parent);
    mkdirSync(folder); // once more, the parent there: a second ENOENT is final
  }
}

/** Why this user may not write `file`, a file system code (EACCES, EPERM, EROFS); undefined when it may (or when the file is not there). */
export function cannotWrite(file: string): string | undefined {
  try {
    accessSync(file, constants.W_OK);
    return undefined;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return code === 'EACCES' || code === 'EPERM' || code === 'EROFS' ? code : undefined;
  }
}

/** What to do about a data folder this user cannot write: it was made by another user (a start with sudo), or lies on a read-only disk. */
export const NOT_WRITABLE_HINT = 'a data folder made by another user (an earlier start with sudo?) or on a read-only disk: give it to the user that runs the app (chown -R), or point DATA_DIR at a folder it can write';

/**
 * Makes the data folder and its sync roots, and checks that this user can
 * write in each root (SQLite and the file sync write there).
 * @throws Error naming `DATA_DIR` when it (or a folder in it) is a file (an SQLite database says so), cannot be
 * written, or cannot be made (a symbolic link to a drive not mounted, a system folder such as /proc)
 */
export function makeDataFolders(dataDir: string): void {
  try {
    for (const root of SAMPLE_ROOTS) makeFolder(path.join(dataDir, root));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if ((code === 'ENOTDIR' || code === 'EEXIST') && isDatabaseFile(dataDir)) {
      throw new Error(`DATA_DIR=${dataDir} is an SQLite database file; DATA_DIR is the folder the app keeps its data in (its database is DATA_DIR/instance/app.db): point it at a folder`, { cause: error });
    }
    if (code === 'ENOTDIR' || code === 'EEXIST') throw new Error(`DATA_DIR=${dataDir}: it, or a folder the app keeps in it (${SAMPLE_ROOTS.join(', ')}), is a file, not a folder; point DATA_DIR at a folder`, { cause: error });
    if (code === 'EACCES' || code === 'EPERM' || code === 'EROFS') throw new Error(`DATA_DIR=${dataDir}: this user cannot create folders there (${code}); point DATA_DIR at a folder it can write`, { cause: error });
    if (code === 'ENOENT') {
      throw new Error(`DATA_DIR=${dataDir}: its folders cannot be made there (ENOENT: a symbolic link on the way leads nowhere, such as to a drive not mounted, or it is under a system folder such as /proc); point DATA_DIR at a folder on a mounted disk`, { cause: error });
    }
    throw error;
  }
  for (const root of SAMPLE_ROOTS) {
    const code = cannotWrite(path.join(dataDir, root));
    if (code !== undefined) throw new Error(`DATA_DIR=${dataDir}: this user cannot write in its folder ${root}/ (${code}), ${NOT_WRITABLE_HINT}`);
  }
}

/** Codes of a write that found no room: a full disk, a quota, a file over this user's size limit (`ulimit -f`), as Node and SQLite say them. */
const NO_ROOM_CODES: ReadonlySet<string> = new Set(['ENOSPC', 'EDQUOT', 'EFBIG', 'SQLITE_FULL']);

/**
 * Codes of a write the disk refused without saying why: SQLite's `SQLITE_IOERR_WRITE` ("disk I/O error") stands for
 * any failed write(2) (EFBIG at a size limit, ENOSPC on some file systems, EACCES or EPERM, EIO from a failing device),
 * and Node's `EIO` for a device that could not do it.
 */
const WRITE_FAILED_CODES: ReadonlySet<string> = new Set(['SQLITE_IOERR_WRITE', 'EIO']);

/**
 * A start that failed for want of room, on a write the disk refused, or on another disk access SQLite found failing
 * (`SQLITE_IOERR_…`), said with DATA_DIR, the code and what to do; undefined for any other failure.
 * On a full disk the start said only "database or disk is full" (or "disk I/O error" over a size limit),
 * naming neither the folder nor the fix; a write refused for another cause (a failing device) is not blamed on the space.
 */
export function diskFailureAtStart(error: unknown, dataDir: string): Error | undefined {
  const code = (error as { code?: unknown } | undefined)?.code;
  if (typeof code !== 'string') return undefined;
  const detail = error instanceof Error ? `${code}: ${error.message}` : code;
  if (code.startsWith('SQLITE_IOERR') && !WRITE_FAILED_CODES.has(code)) {
    // A read, lock, sync or shared-memory call SQLite found failing: often a folder on a network share or a mount SQLite cannot lock or map.
    return new Error(
      `DATA_DIR=${dataDir}: SQLite could not use its files there (${detail}): a folder on a network share (NFS, SMB) or a mount it cannot lock or map its WAL index on (SQLITE_IOERR_LOCK, _SHMOPEN, _SHMMAP), or a failing device (the system log, dmesg, says so); point DATA_DIR at a folder on a local disk`,
      { cause: error },
    );
  }
  if (!NO_ROOM_CODES.has(code) && !WRITE_FAILED_CODES.has(code)) return undefined;
  if (WRITE_FAILED_CODES.has(code)) {
    return new Error(
      `DATA_DIR=${dataDir}: the start could not write its files there (${detail}); the system did not say why: the disk may be full or a file over this user's size limit (df -h, ulimit -f), the files may not be writable by this user (permissions, a read-only or network mount), or the device may be failing (the system log, dmesg, says so); fix that, or point DATA_DIR at another disk`,
      { cause: error },
    );
  }
  return new Error(`DATA_DIR=${dataDir}: the start could not write its files there (${detail}): the disk is full, or a file is over this user's size limit; free some space, or point DATA_DIR at another disk`, { cause: error });
}
