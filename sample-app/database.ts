import Database from 'better-sqlite3';
import { statSync } from 'node:fs';
import path from 'node:path';
import { cannotWrite, NOT_WRITABLE_HINT } from './data-folders';
import { createScoutingSchema } from './scouting-schema';

/** File name of the sample app's database inside `<DATA_DIR>/instance/`. */
export const DATABASE_FILE = 'app.db';

/** The names SQLite uses beside (and for) the database, and what it keeps there. */
const SQLITE_NAMES: ReadonlyArray<readonly [suffix: string, role: string]> = [
  ['', 'the database itself'],
  ['-wal', 'its write-ahead log'],
  ['-shm', 'its WAL index'],
  ['-journal', 'its rollback journal'],
];

/**
 * A folder under the database's name or one of its side files (made by hand,
 * or synced by an older version) stops SQLite from opening it with only
 * "disk I/O error" or "unable to open database file": say which one, and what to do.
 * @throws Error naming the folder
 */
function refuseFoldersInTheWay(file: string): void {
  for (const [suffix, role] of SQLITE_NAMES) {
    const name = `${file}${suffix}`;
    if (statSync(name, { throwIfNoEntry: false })?.isDirectory() === true) {
      throw new Error(`${name} is a folder, where SQLite keeps ${role}: SQLite cannot open ${file} while it is there; move the folder out of instance/ and start again`);
    }
  }
}

/**
 * SQLite opens a database this user cannot write read-only, and says only
 * "attempt to write a readonly database" at the first write (or "unable to
 * open database file"): name the file and `DATA_DIR` instead, before it is opened.
 * @throws Error naming `DATA_DIR` and the file
 */
function refuseUnwritableFiles(dataDir: string, file: string): void {
  for (const [suffix] of SQLITE_NAMES) {
    const code = cannotWrite(`${file}${suffix}`);
    if (code !== undefined) throw new Error(`DATA_DIR=${dataDir}: this user cannot write its database file instance/${DATABASE_FILE}${suffix} (${code}), ${NOT_WRITABLE_HINT}`);
  }
}

/**
 * A path as one word of a command pasted into the shell of `platform` (the library's own helper is internal), so a fix
 * copied from the message names that file even under a `DATA_DIR` with a space (`/srv/my event/data`, `C:\Event Data`).
 * POSIX shells: as it is when it has no character the shell treats specially, else single-quoted. Windows (cmd.exe,
 * and PowerShell alike): in double quotes (cmd.exe takes single quotes as part of the name); a Windows path cannot hold `"`
 * (cmd.exe still expands a `%NAME%` of a variable set, and PowerShell a `$name`, inside them: no quoting stops that in both).
 */
export function pastedWord(text: string, platform: NodeJS.Platform): string {
  // A backslash before the closing quote would escape it for the program's own argument parser (`"C:\data\"`): doubled.
  if (platform === 'win32') return /^[A-Za-z0-9_@+=:,./\\-]+$/.test(text) ? text : `"${text.replace(/\\+$/, '$&$&')}"`;
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(text) ? text : `'${text.replaceAll("'", "'\\''")}'`;
}

/**
 * How a command the app prints for its operator starts: through `npx`, as the package's own messages say it (the app
 * installs the package, whose `express-sqlite-sync` is then in `node_modules/.bin`, not on the PATH).
 */
const CLI_COMMAND = 'npx express-sqlite-sync';

/** The command that puts a backup in place of the database `file`, ready to paste into the shell of `platform` once `<backup>` is filled in. */
export function restoreCommand(file: string, platform: NodeJS.Platform = process.platform): string {
  return `${CLI_COMMAND} restore --from <backup> --db ${pastedWord(file, platform)} --force`;
}

/**
 * Opens (creating if needed) the sample app's SQLite database in WAL mode,
 * with foreign keys on and a busy timeout so sync and requests can share it.
 * @throws Error naming the file when it is not a database, or a folder stands under its name or a side file's;
 * naming `DATA_DIR` when this user cannot write the database or its side files
 */
export function openSampleDatabase(dataDir: string): Database.Database {
  const file = path.join(dataDir, 'instance', DATABASE_FILE);
  refuseFoldersInTheWay(file);
  refuseUnwritableFiles(dataDir, file);
  const db = new Database(file);
  try {
    db.pragma('journal_mode = WAL');
  } catch (error) {
    db.close();
    const code = (error as { code?: unknown }).code;
    if (code !== 'SQLITE_NOTADB' && code !== 'SQLITE_CORRUPT') throw error;
    throw new Error(`${file} is not a readable SQLite database (${(error as Error).message}): move it aside and start again for an empty one (then sync it back from a peer), or put a backup in its place with \`${restoreCommand(file)}\` (the server stopped)`, { cause: error });
  }
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  // `value` has no declared type: it keeps any SQLite value as it is (-0.0, integers beyond 2^53, blobs).
  db.exec(`CREATE TABLE IF NOT EXISTS app_events (
    id TEXT PRIMARY KEY NOT NULL,
    at TEXT NOT NULL,
    kind TEXT NOT NULL,
    detail TEXT,
    value
  )`);
  if (db.prepare("SELECT 1 FROM pragma_table_info('app_events') WHERE name = 'value'").safeIntegers(false).get() === undefined) db.exec('ALTER TABLE app_events ADD COLUMN value');
  createScoutingSchema(db);
  return db;
}
