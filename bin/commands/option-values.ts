import os from 'node:os';
import type { Command } from 'commander';
import { sideFileNameReason } from '../../lib/files/side-file-name';
import { SyncError } from '../../lib/sync-error';

/** The environment variable an option falls back to when left out. */
const FALLBACKS: ReadonlyMap<string, string> = new Map([
  ['--token', 'SYNC_TOKEN'],
  ['--ca', 'SYNC_PEER_CA'],
]);

/**
 * Refuses an option whose value is one of the command's own options
 * (`--token --json`): what a shell makes of `--token $TOKEN --json` with
 * `TOKEN` empty or unset. Commander takes the next word as the value, so the
 * token sent would be "--json" (a 401 that says nothing of the cause) and
 * `--json` would not apply.
 * @throws SyncError `BAD_USAGE` (400) naming the option and the fix
 */
export function refuseOptionAsValue(command: Command): void {
  const flags = new Set(['-h', '--help']);
  for (const option of command.options) {
    if (option.long !== undefined) flags.add(option.long);
    if (option.short !== undefined) flags.add(option.short);
  }
  for (const option of command.options) {
    const value: unknown = command.getOptionValue(option.attributeName());
    if (typeof value !== 'string' || !flags.has(value)) continue;
    const name = option.long ?? option.flags;
    const fallback = FALLBACKS.get(name);
    const otherwise = fallback === undefined ? '' : `, or leave ${name} out to use ${fallback}`;
    throw new SyncError('BAD_USAGE', 400, `${name} is followed by ${value}, an option, not a value: an empty or unset shell variable? Quote it ("$VAR")${otherwise}`);
  }
}

/** The value name of an option that names a local file (`--db <file>`, `--ca <file>`). */
const FILE_VALUE = /<file>/;

/**
 * Refuses a file option (one whose value is `<file>`) given `-` or a value
 * that starts with `-`: no command reads stdin or writes stdout for a file, so
 * `join --db -` created a database named `-`, and `--db --gzipx` (a stray
 * option, a mistyped one) one named `--gzipx`. A file whose name starts with
 * `-` is still named by `./-x.db`. Run after {@link refuseOptionAsValue}, which
 * names a value that is one of the command's own options.
 * @throws SyncError `BAD_USAGE` (400) naming the option, the value and the fix
 */
export function refuseDashPath(command: Command): void {
  for (const option of command.options) {
    if (!FILE_VALUE.test(option.flags)) continue;
    const value: unknown = command.getOptionValue(option.attributeName());
    if (typeof value !== 'string' || !value.startsWith('-')) continue;
    const name = option.long ?? option.flags;
    const what = value === '-' ? 'this command reads no stdin and writes no stdout for a file' : 'it looks like an option, not a file';
    const own = value === '-' ? '' : `; for a file whose name starts with "-", write ./${value}`;
    throw new SyncError('BAD_USAGE', 400, `${name} is ${JSON.stringify(value)}: ${what}; give the file's path${own}`);
  }
}

/** `~`, `~/…` or `~user/…` at the start of a path: what only a shell reads as a home folder (`~backup.db` is a file's name). */
const HOME_TILDE = /^~(?:[A-Za-z0-9._-]*\/|$)/;

/**
 * Refuses a file option whose value starts with `~` (`~`, `~/…`, `~user/…`): a
 * shell expands it only at the start of a word, so `join --db=~/event/app.db`
 * (or a quoted `'~/app.db'`, a service unit, a script) reaches the CLI as it
 * is, and `join` made a folder named `~` in the working folder with the whole
 * database in it, while the server was started on an empty one in the home
 * folder. The sample app refuses the same in `DATA_DIR`. A folder really named
 * `~` is still named by `./~/x.db`.
 * @throws SyncError `BAD_USAGE` (400) naming the option, the value and the home folder
 */
export function refuseUnexpandedHome(command: Command): void {
  for (const option of command.options) {
    if (!FILE_VALUE.test(option.flags)) continue;
    const value: unknown = command.getOptionValue(option.attributeName());
    if (typeof value !== 'string' || !HOME_TILDE.test(value)) continue;
    const name = option.long ?? option.flags;
    throw new SyncError(
      'BAD_USAGE',
      400,
      `${name} is ${JSON.stringify(value)}: "~" means the home folder only to a shell, and none expanded it here (${name}=~/… is not expanded): write the full path (${os.homedir()}/…), or ./${value} for a folder named "~" in this one`,
    );
  }
}

/** The file options whose value SQLite opens (or writes by the backup API): the ones better-sqlite3 trims. */
const DATABASE_OPTIONS: ReadonlySet<string> = new Set(['--db', '--out', '--from']);

/**
 * Refuses a database option (`--db`, `--out`, `restore --from`) whose value
 * starts or ends with a blank (a space, a tab, a no-break space: what
 * `String.prototype.trim` drops): better-sqlite3 trims the name of a file it
 * opens, so `new-site-id --db 'app.db '` gave a new identity to `app.db`,
 * another database, `backup --db 'app.db '` copied `app.db`, and `join` placed
 * its snapshot at `app.db ` and then opened an empty `app.db` beside it. A
 * value made only of blanks is left to each command's "no database path given".
 * @throws SyncError `BAD_USAGE` (400) naming the option, the value and the file SQLite would open
 */
export function refuseBlankEnds(command: Command): void {
  for (const option of command.options) {
    if (!FILE_VALUE.test(option.flags) || option.long === undefined || !DATABASE_OPTIONS.has(option.long)) continue;
    const value: unknown = command.getOptionValue(option.attributeName());
    if (typeof value !== 'string' || value.trim() === '' || value.trim() === value) continue;
    throw new SyncError(
      'BAD_USAGE',
      400,
      `${option.long} is ${JSON.stringify(value)}: it starts or ends with a blank, which SQLite's driver drops from a file name, so it would open ${JSON.stringify(value.trim())}, another file: give the path without the blank (rename a file whose name has one)`,
    );
  }
}

/** The option naming the database a command writes: what must not be named as another database's side file. */
const WRITTEN_DATABASE_OPTIONS: ReadonlyMap<string, string> = new Map([
  ['join', 'db'],
  ['backup', 'out'],
  ['restore', 'db'],
]);

/**
 * Refuses a database to write (`join --db`, `backup --out`, `restore --db`) named as the side file of
 * another database (`x.db-wal`, `-shm`, `-journal`, a super-journal's `x.db-mj0a1b2c9d3`, `-syncmark`):
 * SQLite deletes, rolls back or overwrites such a file beside `x.db`, and sync never lists it. Said
 * before anything is sent or written; the library refuses the same as `TARGET_INVALID`.
 * @throws SyncError `BAD_USAGE` (400) naming the option, the value and the rule
 */
export function refuseSideFileTarget(command: Command): void {
  const attribute = WRITTEN_DATABASE_OPTIONS.get(command.name());
  if (attribute === undefined) return;
  const value: unknown = command.getOptionValue(attribute);
  // `x.db-wal/` names a folder: the library's TARGET_INVALID says so, which is the more useful word.
  if (typeof value !== 'string' || /[\\/]$/.test(value)) return;
  const reason = sideFileNameReason(value);
  if (reason !== undefined) throw new SyncError('BAD_USAGE', 400, `--${attribute} is ${JSON.stringify(value)}: it is ${reason}`);
}
