import type Database from 'better-sqlite3';
import { numbers } from './prepared';
import { foldName } from './sql-names';

/** An app trigger on a tracked table whose body writes to tracked tables and never tests the `applying` flag. */
export interface MergeWritingTrigger {
  /** The trigger's name. */
  readonly trigger: string;
  /** The tracked table it is on. */
  readonly on: string;
  /** The tracked tables its body writes to (INSERT, REPLACE, UPDATE, DELETE). */
  readonly writes: readonly string[];
  /** True for a TEMP trigger, made on this connection only (`sqlite_temp_master`). */
  readonly temp: boolean;
}

/** A name quoted in any of SQLite's ways, or bare. */
const NAME = '"(?:[^"]|"")+"|`(?:[^`]|``)+`|\\[[^\\]]+\\]|[\\p{L}_][\\p{L}\\p{N}_$]*';
/** `schema.name` or `name`: the schema is group 1, the name group 2 (only a TEMP trigger may name a schema). */
const QUALIFIED = String.raw`(?:(${NAME})\s*\.\s*)?(${NAME})`;
/** A table named after INSERT/REPLACE … INTO, UPDATE [OR …] or DELETE FROM. */
const WRITE_TARGET = new RegExp(String.raw`\b(?:(?:INSERT|REPLACE)\s+(?:OR\s+\w+\s+)?INTO|UPDATE(?:\s+OR\s+\w+)?|DELETE\s+FROM)\s+${QUALIFIED}`, 'giu');
/** A trigger's head up to its table (`ON [schema.]table`), as SQLite keeps its SQL. */
const TRIGGER_HEAD = new RegExp(
  String.raw`^CREATE\s+(?:TEMP(?:ORARY)?\s+)?TRIGGER\s+(?:IF\s+NOT\s+EXISTS\s+)?(?:(?:${NAME})\s*\.\s*)?(?:${NAME})\s+(?:BEFORE\s+|AFTER\s+|INSTEAD\s+OF\s+)?` +
    String.raw`(?:DELETE|INSERT|UPDATE(?:\s+OF\s+(?:${NAME})(?:\s*,\s*(?:${NAME}))*)?)\s+ON\s+${QUALIFIED}`,
  'iu',
);

function unquote(name: string): string {
  const first = name[0];
  if (first === '"') return name.slice(1, -1).replaceAll('""', '"');
  if (first === '`') return name.slice(1, -1).replaceAll('``', '`');
  if (first === '[') return name.slice(1, -1);
  return name;
}

/** True when a table named with `schema` (or none) is main's: what a TEMP trigger names unqualified is main's when temp has none of the name. */
function inMain(schema: string | undefined): boolean {
  return schema === undefined || foldName(unquote(schema)) === 'main';
}

interface TriggerRow {
  readonly name: string;
  readonly tbl: string;
  readonly sql: string | null;
  readonly temp: number;
}

/** The app's triggers: main's, then the connection's TEMP ones (read only when it has a temp database: reading them would open one). */
function appTriggers(db: Database.Database): TriggerRow[] {
  const where = "type = 'trigger' AND name NOT LIKE '\\_sync\\_%' ESCAPE '\\' ORDER BY name";
  const rows = numbers(db, `SELECT name, tbl_name AS tbl, sql, 0 AS temp FROM main.sqlite_master WHERE ${where}`).all() as TriggerRow[];
  if (numbers(db, "SELECT 1 FROM pragma_database_list WHERE name = 'temp'").get() === undefined) return rows;
  return [...rows, ...(numbers(db, `SELECT name, tbl_name AS tbl, sql, 1 AS temp FROM temp.sqlite_master WHERE ${where}`).all() as TriggerRow[])];
}

/**
 * The app's triggers on tracked tables that write to tracked tables without skipping merges (no
 * `applying` in their SQL), TEMP ones on this connection included. Such a trigger runs again on every
 * server that applies a peer's change, and what it writes there is not captured (a merge's own writes
 * are not), so the servers end different: a row it adds stays on that server, a value it derives from
 * the time or the server differs. Names are matched as SQLite matches them (ASCII case folded only).
 * Read from the triggers' SQL text (a name in a string literal may be taken for a write): it feeds a warning only.
 */
export function mergeWritingTriggers(db: Database.Database, tables: readonly string[]): MergeWritingTrigger[] {
  const tracked = new Map(tables.map((name) => [foldName(name), name]));
  const found: MergeWritingTrigger[] = [];
  for (const row of appTriggers(db)) {
    const on = tracked.get(foldName(row.tbl));
    if (on === undefined || row.sql === null || /\bapplying\b/i.test(row.sql)) continue;
    // A TEMP trigger may be on another schema's table of the name (ON aux.orders): SQLite keeps only the name.
    if (row.temp === 1 && !inMain(TRIGGER_HEAD.exec(row.sql)?.[1])) continue;
    const body = row.sql.slice(row.sql.search(/\bBEGIN\b/i));
    const writes = new Set<string>();
    for (const match of body.matchAll(WRITE_TARGET)) {
      const target = inMain(match[1]) ? tracked.get(foldName(unquote(match[2] ?? ''))) : undefined;
      if (target !== undefined) writes.add(target);
    }
    if (writes.size > 0) found.push({ trigger: row.name, on, writes: [...writes], temp: row.temp === 1 });
  }
  return found;
}
