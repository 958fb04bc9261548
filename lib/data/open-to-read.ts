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
 * read-write, only read, and SQLite removes both at close. A rollback-journal
 * file with a `-journal` beside it is opened read-write too: when that journal
 * is hot (a writer that crashed mid-write), SQLite can only read the file once
 * it has rolled the cut-off write back, as the server's next start would.
 * Anything else (a rollback-journal file, a WAL in use, a file that cannot be
 * written) is opened read-only (SQLite itself opens a write-protected file read-only).
 */
export function openToRead(file: string): Database.Database {
  const wal = isWalModeFile(file);
  if ((wal && !existsSync(`${file}-wal`) && !existsSync(`${file}-shm`)) || (!wal && existsSync(`${file}-journal`))) {
    try {
      return new Database(file, { fileMustExist: true });
    } catch {
      // not writable here: read-only below
    }
  }
  return new Database(file, { readonly: true, fileMustExist: true });
}
