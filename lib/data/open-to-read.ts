import { closeSync, existsSync, openSync, readSync } from 'node:fs';
import Database from 'better-sqlite3';

/** True for a file whose SQLite header says WAL mode (bytes 18 and 19 are 2). */
function isWalModeFile(file: string): boolean {
  try {
    const header = Buffer.alloc(20);
    const fd = openSync(file, 'r');
    try {
      return readSync(fd, header, 0, header.length, 0) === header.length && header[18] === 2 && header[19] === 2;
    } finally {
      closeSync(fd);
    }
  } catch {
    return false;
  }
}

/**
 * Opens a database file only to read it, leaving its folder as it was. A
 * read-only connection to a WAL-mode file makes a `-wal` and a `-shm` it never
 * removes (only a read-write connection, the last to close, does); so a
 * WAL-mode file with neither beside it (no other connection) is opened
 * read-write, only read, and SQLite removes both at close. Anything else (a
 * rollback-journal file, a WAL in use, a file that cannot be written) is opened
 * read-only (SQLite itself opens a write-protected file read-only).
 */
export function openToRead(file: string): Database.Database {
  if (isWalModeFile(file) && !existsSync(`${file}-wal`) && !existsSync(`${file}-shm`)) {
    try {
      return new Database(file, { fileMustExist: true });
    } catch {
      // not writable here: read-only below
    }
  }
  return new Database(file, { readonly: true, fileMustExist: true });
}
