import { SyncError } from '../sync-error';
import type { TableStatements } from './table-statements';

/**
 * User triggers on a table in `schema` (the capture triggers excluded), holding a RAISE when `raising`: the likely refusers.
 * `tbl_name` is the table as the trigger's CREATE spelled it (`ON TEAMS`): matched as SQLite matches names, ASCII case folded.
 */
function appTriggersSql(schema: 'main' | 'temp', raising: boolean): string {
  return `SELECT name FROM ${schema}.sqlite_schema WHERE type = 'trigger' AND tbl_name = ? COLLATE NOCASE AND name NOT LIKE '\\_sync\\_%' ESCAPE '\\'${raising ? " AND sql LIKE '%RAISE%'" : ''} ORDER BY name`;
}
const TEMP_OPEN_SQL = "SELECT 1 FROM pragma_database_list WHERE name = 'temp'";

/**
 * The app triggers on a table, main's then the connection's TEMP ones (read only when it has a temp
 * database: reading them would open one).
 */
function appTriggers(statements: TableStatements, raising: boolean): string[] {
  const { cache, table } = statements;
  const kind = raising ? 'raising' : 'app';
  const names = cache.get(`${kind}-triggers`, () => appTriggersSql('main', raising)).pluck().all(table.name) as string[];
  if (cache.get('temp-open', () => TEMP_OPEN_SQL).get() === undefined) return names;
  return [...names, ...(cache.get(`${kind}-temp-triggers`, () => appTriggersSql('temp', raising)).pluck().all(table.name) as string[])];
}

/** How to write an app trigger that leaves merges alone: what a refusal's message ends with. */
const TRIGGER_FIX =
  "App triggers fire when a peer's change is applied too; a trigger that refuses or derives writes should skip merges: add WHEN (SELECT applying FROM _sync_state) = 0 to it (the origin ran it already, and the writes it made there travel as ordinary changes).";
/** What a refusal met while applying a page says was undone. */
const PAGE_UNDONE = 'Nothing of this page was applied';

/**
 * Whose writes the constraint rules settle, for the words of a refusal met meanwhile: a page of another
 * server's being applied, this server's own writes, as the capture log is folded (a local fold), or every
 * parked row ranked again as a whole (at start, or after a new site id: `whole`).
 */
export type SettledWrites = 'page' | 'local' | 'whole';

/** The fix a refusal met while settling this server's own writes gives: the same clause, for the sync's own moves. */
const LOCAL_FIX =
  'App triggers fire when the constraint rules move rows between a table and its parked rows too (after a local write as after a merge: every server makes these moves itself, and sends none); a trigger that refuses or derives writes should skip them: add WHEN (SELECT applying FROM _sync_state) = 0 to it.';
/** What a refusal met while settling this server's own writes says was undone, and what happens next. */
const LOCAL_UNDONE =
  "Nothing the constraint rules wrote was kept. The local writes stay as they were made (in their tables, and in the capture log, not sent yet): their settling is tried again, and refused the same way, whenever the log is folded (each sync of this server, each pull from it or push to it) until the trigger skips these moves";

/** What the whole ranking of the parked rows is called in a refusal's message. */
const WHOLE_WRITE = 'ranking all parked rows again (at start, or after a new site id';
/** What a refusal met while ranking all parked rows again says was undone, and what happens next. */
const WHOLE_UNDONE =
  'Nothing the constraint rules wrote was kept (local writes made meanwhile stay in their tables and in the capture log, not sent yet). The server runs, but its data sync is stopped: the ranking is tried again, and refused the same way, before each read of its changes and each sync, pull from it or push to it, until the trigger skips these moves; no restart is needed';

/** What a refusal met while the constraint rules settle says: the write, the fix, what was undone. */
export interface SettlingWords {
  readonly write: string;
  readonly fix: string;
  readonly undone: string;
}

/**
 * The words of a refusal of the constraint rules' `move` (e.g. `a parked t row ["k"] coming back into its
 * table`) after `settled` writes: a local fold's refusal says `settling the constraints after a local write
 * (<move>)`, gives the clause as the fix for these moves and tells that the local writes stay; a page's says
 * `pageWrite` (by default the move as a write settling the constraints) and that nothing of the page was applied.
 */
export function settlingWords(settled: SettledWrites, move: string, pageWrite = `a write settling the constraints (${move})`): SettlingWords {
  if (settled === 'local') return { write: `settling the constraints after a local write (${move})`, fix: LOCAL_FIX, undone: LOCAL_UNDONE };
  if (settled === 'whole') return { write: `${WHOLE_WRITE}: ${move})`, fix: LOCAL_FIX, undone: WHOLE_UNDONE };
  return { write: pageWrite, fix: TRIGGER_FIX, undone: PAGE_UNDONE };
}

/**
 * The SyncError for an app trigger's RAISE met while the constraint rules settled this server's own writes
 * (a local fold) or ranked all parked rows again (`whole`), when no row's move named it (see {@link triggerRefusal});
 * undefined for any other error.
 * @param tables - every tracked table (their triggers holding a RAISE are named)
 */
export function localSettlingRefusal(error: unknown, tables: readonly TableStatements[], settled: 'local' | 'whole' = 'local'): SyncError | undefined {
  if (error instanceof SyncError) return undefined;
  if (settled === 'whole') return triggerRefusal(error, tables, `${WHOLE_WRITE})`, undefined, WHOLE_UNDONE, LOCAL_FIX);
  return triggerRefusal(error, tables, 'settling the constraints after a local write', undefined, LOCAL_UNDONE, LOCAL_FIX);
}

/** Where SQLite's message names the failing column as `<table>.<column>`, by error code. */
const NAMED_COLUMN: Readonly<Record<string, RegExp>> = {
  SQLITE_CONSTRAINT_UNIQUE: /^UNIQUE constraint failed: ([\s\S]*)$/,
  SQLITE_CONSTRAINT_PRIMARYKEY: /^UNIQUE constraint failed: ([\s\S]*)$/,
  SQLITE_CONSTRAINT_NOTNULL: /^NOT NULL constraint failed: ([\s\S]*)$/,
  SQLITE_CONSTRAINT_DATATYPE: /^cannot store \S+ value in \S+ column ([\s\S]*)$/,
};
const CHECK_FAILED = /^CHECK constraint failed: ([\s\S]*)$/;
const TABLE_SQL = "SELECT sql FROM sqlite_schema WHERE type = 'table' AND name = ?";

/**
 * True when a constraint error met while writing a row of `statements`' table
 * was raised by a write of an app trigger on it, not by the table's own
 * constraints: SQLite reports a trigger's failing statement with that
 * statement's code and message, so a UNIQUE, NOT NULL or STRICT type failure
 * naming another table, or a CHECK that is not in the table's own definition
 * (its name or expression as written), is the trigger's. A message of another
 * shape, or a trigger writing its own table, is taken for the table's own.
 */
export function raisedByAppTrigger(error: unknown, statements: TableStatements): boolean {
  const { code, message } = error as { code?: unknown; message?: unknown };
  if (typeof code !== 'string' || typeof message !== 'string') return false;
  const named = NAMED_COLUMN[code]?.exec(message);
  if (named !== undefined && named !== null) return !(named[1] ?? '').startsWith(`${statements.table.name}.`);
  const check = code === 'SQLITE_CONSTRAINT_CHECK' ? CHECK_FAILED.exec(message) : null;
  if (check === null) return false;
  const sql: unknown = statements.cache.get('own-sql', () => TABLE_SQL).pluck().get(statements.table.name);
  return typeof sql === 'string' && !sql.includes(check[1] ?? '');
}

/**
 * The SyncError for an app trigger refusing a write while a peer's page is
 * applied or the constraints are settled: its RAISE (ABORT, FAIL or ROLLBACK),
 * or, when `written` is given, a constraint of another table that one of its
 * writes broke (see {@link raisedByAppTrigger}); undefined for any other error.
 * @param tables - the tables written when it happened (their app triggers are named)
 * @param write - what was written, e.g. `a change to doc ["d1"] from another server`
 * @param written - the table of the row written, when one row was
 * @param undone - what the message says was undone
 * @param fix - how the message says to fix the trigger (to skip merges, by default)
 */
export function triggerRefusal(error: unknown, tables: readonly TableStatements[], write: string, written?: TableStatements, undone = PAGE_UNDONE, fix = TRIGGER_FIX): SyncError | undefined {
  const raising = (error as { code?: unknown }).code === 'SQLITE_CONSTRAINT_TRIGGER';
  if (!raising && (written === undefined || !raisedByAppTrigger(error, written))) return undefined;
  const { message } = error as { message?: unknown }; // not `instanceof Error`: SqliteError may come from another realm (test runners)
  const raised = typeof message === 'string' ? message : String(error);
  return refusal(error, tables, raising, `${write} was refused by an app trigger`, JSON.stringify(raised), undone, fix);
}

/** The APPLY_REFUSED naming the suspect triggers of `tables` (those holding a RAISE when `raising`, else all), what SQLite `said`, the `fix` and what was `undone`. */
function refusal(cause: unknown, tables: readonly TableStatements[], raising: boolean, what: string, said: string, undone: string, fix: string): SyncError {
  const label = raising ? 'triggers holding a RAISE' : 'app triggers';
  const suspects = tables.flatMap((statements) => {
    const names = appTriggers(statements, raising);
    return names.length === 0 ? [] : [`on ${statements.table.name}: ${names.join(', ')}`];
  });
  const where = suspects.length === 0 ? '' : ` (${label} ${suspects.join('; ')})`;
  return new SyncError('APPLY_REFUSED', 409, `${what}${where}: ${said}. ${fix} ${undone}`, { cause });
}

/**
 * How an app trigger undid a write of the sync that {@link ignoredWriteRefusal} refuses: its `RAISE(IGNORE)`
 * skipped it (`skipped`), an AFTER DELETE trigger wrote the deleted row back (`put back`), an AFTER INSERT or
 * UPDATE trigger deleted the row that was written (`taken out`), or an AFTER UPDATE trigger wrote a column's
 * old value back (`reverted`).
 */
export type UndoneWrite = 'skipped' | 'put back' | 'taken out' | 'reverted';

/** What an {@link ignoredWriteRefusal} gives as its cause's message (SQLite itself says nothing: the write just changes no row, or is undone). */
const UNDONE_WRITE: Readonly<Record<UndoneWrite, (columns: string) => string>> = {
  skipped: () => 'RAISE(IGNORE) skipped the write: it changed no row',
  'put back': () => 'an app trigger wrote the row back into its table right after it was deleted',
  'taken out': () => 'an app trigger deleted the row right after it was written into its table',
  reverted: (columns) => `an app trigger wrote the old value of ${columns} back right after it was updated`,
};

/** True when the table has app triggers (main's or, on this connection, TEMP ones): only then may a write of the sync be undone by one. */
export function hasAppTriggers(statements: TableStatements): boolean {
  return appTriggers(statements, false).length > 0;
}

/**
 * The SyncError for a write of a merge (or of the constraint rules, or of a
 * snapshot's copy) to `statements`' table that an app trigger undid, silently:
 * a BEFORE trigger's `RAISE(IGNORE)` skipped it, or an AFTER trigger wrote the
 * deleted row back, deleted the written row, or wrote a column just updated
 * back to its old value. Let through, the metadata would say
 * the row is where it is not (in its table, in its parked rows, gone), or holds
 * what it does not, on this server only, for good: it is refused as a
 * RAISE(ABORT) is, naming the table's triggers holding a RAISE (all its app
 * triggers for an AFTER trigger's write) and the fix.
 * @param write - what was written, e.g. `a change to doc ["d1"] from another server`
 * @param undone - what the message says was undone
 * @param fix - how the message says to fix the trigger (to skip merges, by default)
 * @param how - how the trigger undid it
 * @param columns - the columns it wrote back (`reverted`)
 */
export function ignoredWriteRefusal(statements: TableStatements, write: string, undone = PAGE_UNDONE, fix = TRIGGER_FIX, how: UndoneWrite = 'skipped', columns: readonly string[] = []): SyncError {
  const cause = UNDONE_WRITE[how](columns.join(', '));
  const moved = how === 'put back' || how === 'taken out';
  const held = moved ? 'the row where the metadata says it is not, unlike every other server' : 'other values than the metadata says it does, and than every other server';
  const said = `${JSON.stringify(cause)}, so this server would hold ${held}`;
  return refusal(new Error(cause), [statements], how === 'skipped', `${write} was refused by an app trigger`, said, undone, fix);
}
