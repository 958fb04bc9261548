import type Database from 'better-sqlite3';
import { triggerNames } from './capture-sql';
import { numbers } from './prepared';

/** One change bit of the update trigger's mask, as `createTriggersSql` writes it: the column's name and its id (the shift; none for id 0). */
const CHANGED_BIT = /\(NEW\.("(?:[^"]|"")*") IS NOT OLD\.\1 COLLATE BINARY\)(?: OR typeof\(NEW\.\1\) IS NOT typeof\(OLD\.\1\)\))?(?: << (\d+)\))?/g;

function unquote(quoted: string): string {
  return quoted.slice(1, -1).replaceAll('""', '"');
}

/**
 * The names a tracked table's columns have in its capture triggers, by stable column id.
 * `ALTER TABLE … RENAME COLUMN` rewrites the triggers with the new name, so a column renamed
 * since the triggers were made (while the server was stopped, or while it ran) is found under its
 * new name with its old id. Empty when the update trigger is gone (a rebuilt table).
 */
export function columnNamesInTriggers(db: Database.Database, tableId: number): ReadonlyMap<number, string> {
  const update = triggerNames(tableId)[1] ?? '';
  const sql = numbers(db, "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = ?").pluck().get(update) as string | undefined;
  const names = new Map<number, string>();
  if (sql === undefined) return names;
  for (const match of sql.matchAll(CHANGED_BIT)) {
    const [, quoted, shift] = match;
    if (quoted !== undefined) names.set(shift === undefined ? 0 : Number(shift), unquote(quoted));
  }
  return names;
}

/**
 * Columns renamed since capture last ran, as `[id, old name, new name]`: a known column whose name
 * is no longer in the table while its triggers name it with a new name the table has and the
 * metadata does not know yet. Such a column keeps its id, and with it its clocks and its parked values.
 */
export function renamedColumns(db: Database.Database, tableId: number, known: ReadonlyMap<string, number>, present: ReadonlySet<string>): readonly (readonly [number, string, string])[] {
  const inTriggers = columnNamesInTriggers(db, tableId);
  const renamed: (readonly [number, string, string])[] = [];
  for (const [name, id] of known) {
    const now = inTriggers.get(id);
    if (present.has(name) || now === undefined || now === name || !present.has(now) || known.has(now)) continue;
    renamed.push([id, name, now]);
  }
  return renamed;
}

/**
 * Gives each column renamed since capture last ran (see {@link renamedColumns}) its new name in the
 * metadata, under its old id, in `_sync_columns` and in `known` (updated in place).
 * @returns the renames, `[old name, new name]`
 */
export function keepRenamedColumns(db: Database.Database, tableId: number, known: Map<string, number>, present: ReadonlySet<string>): readonly (readonly [string, string])[] {
  const renamed = renamedColumns(db, tableId, known, present);
  for (const [id, from, to] of renamed) {
    numbers(db, 'UPDATE _sync_columns SET name = ? WHERE tbl = ? AND id = ?').run(to, tableId, id);
    known.delete(from);
    known.set(to, id);
  }
  return renamed.map(([, from, to]) => [from, to] as const);
}
