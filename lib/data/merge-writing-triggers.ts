import type Database from 'better-sqlite3';
import { numbers } from './prepared';

/** An app trigger on a tracked table whose body writes to tracked tables and never tests the `applying` flag. */
export interface MergeWritingTrigger {
  /** The trigger's name. */
  readonly trigger: string;
  /** The tracked table it is on. */
  readonly on: string;
  /** The tracked tables its body writes to (INSERT, REPLACE, UPDATE, DELETE). */
  readonly writes: readonly string[];
}

/** A table named after INSERT/REPLACE … INTO, UPDATE [OR …] or DELETE FROM, quoted in any of SQLite's ways or bare (a trigger's writes name no schema). */
const WRITE_TARGET = /\b(?:(?:INSERT|REPLACE)\s+(?:OR\s+\w+\s+)?INTO|UPDATE(?:\s+OR\s+\w+)?|DELETE\s+FROM)\s+("(?:[^"]|"")+"|`(?:[^`]|``)+`|\[[^\]]+\]|[\p{L}_][\p{L}\p{N}_$]*)/giu;

function unquote(name: string): string {
  const first = name[0];
  if (first === '"') return name.slice(1, -1).replaceAll('""', '"');
  if (first === '`') return name.slice(1, -1).replaceAll('``', '`');
  if (first === '[') return name.slice(1, -1);
  return name;
}

/**
 * The app's triggers on tracked tables that write to tracked tables without skipping merges (no
 * `applying` in their SQL). Such a trigger runs again on every server that applies a peer's change,
 * and what it writes there is not captured (a merge's own writes are not), so the servers end
 * different: a row it adds stays on that server, a value it derives from the time or the server differs.
 * Read from the triggers' SQL text (a name in a string literal may be taken for a write): it feeds a warning only.
 */
export function mergeWritingTriggers(db: Database.Database, tables: readonly string[]): MergeWritingTrigger[] {
  const tracked = new Map(tables.map((name) => [name.toLowerCase(), name]));
  const rows = numbers(db, "SELECT name, tbl_name AS tbl, sql FROM sqlite_master WHERE type = 'trigger' AND name NOT LIKE '\\_sync\\_%' ESCAPE '\\' ORDER BY name").all() as { name: string; tbl: string; sql: string | null }[];
  const found: MergeWritingTrigger[] = [];
  for (const row of rows) {
    const on = tracked.get(row.tbl.toLowerCase());
    if (on === undefined || row.sql === null || /\bapplying\b/i.test(row.sql)) continue;
    const body = row.sql.slice(row.sql.search(/\bBEGIN\b/i));
    const writes = new Set<string>();
    for (const match of body.matchAll(WRITE_TARGET)) {
      const target = tracked.get(unquote(match[1] ?? '').toLowerCase());
      if (target !== undefined) writes.add(target);
    }
    if (writes.size > 0) found.push({ trigger: row.name, on, writes: [...writes] });
  }
  return found;
}
