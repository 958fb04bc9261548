import { createHash } from 'node:crypto';
import type Database from 'better-sqlite3';

/** Every table the sample app syncs as data. */
export const SCOUTING_TABLES = ['app_events', 'teams', 'matches', 'match_reports'] as const;

/**
 * The scouting schema: text keys (never `INTEGER PRIMARY KEY`, which collides
 * between servers), reports pointing at their team and match, one report per
 * scout, team and match, and at most one team per pit spot. Teams and matches
 * get keys derived from their natural keys (see {@link teamIdOf}); reports,
 * which are really distinct, random UUIDs.
 */
export const SCOUTING_SCHEMA = `
CREATE TABLE IF NOT EXISTS teams (
  id TEXT PRIMARY KEY NOT NULL,
  number INTEGER NOT NULL,
  name TEXT NOT NULL,
  pit TEXT
);
CREATE TABLE IF NOT EXISTS matches (
  id TEXT PRIMARY KEY NOT NULL,
  label TEXT NOT NULL,
  starts_at TEXT
);
CREATE TABLE IF NOT EXISTS match_reports (
  id TEXT PRIMARY KEY NOT NULL,
  match_id TEXT NOT NULL REFERENCES matches (id),
  team_id TEXT NOT NULL REFERENCES teams (id),
  scout TEXT NOT NULL,
  auto_points INTEGER NOT NULL DEFAULT 0,
  teleop_points INTEGER NOT NULL DEFAULT 0,
  notes TEXT,
  updated_at TEXT NOT NULL,
  UNIQUE (match_id, team_id, scout)
);
`;

/** Columns added after the first version of the schema: `[table, column, declaration]`. */
const ADDED_COLUMNS: readonly (readonly [string, string, string])[] = [['teams', 'pit', 'TEXT']];

/** Namespace of the sample app's derived ids (a random UUID, fixed forever). */
const NAMESPACE = Buffer.from('5b1e3f0c9d2a4c7e8f6b1a2d3c4e5f60', 'hex');

/** A UUIDv5-style id (SHA-1 of a namespace and a name): the same name gives the same id on every server. */
export function derivedId(name: string): string {
  const hash = createHash('sha1').update(NAMESPACE).update(name, 'utf8').digest();
  hash[6] = ((hash[6] ?? 0) & 0x0f) | 0x50;
  hash[8] = ((hash[8] ?? 0) & 0x3f) | 0x80;
  const hex = hash.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** The lowest and highest team number the form and the API take. */
export const TEAM_NUMBERS = { min: 1, max: 99_999 } as const;

/** The longest match label kept, in characters (code points) once normalized (see {@link normalizeMatchLabel}). */
export const MATCH_LABEL_MAX = 100;

/** The id of team `number`: two laptops that create team 971 create the same row, which merges. */
export function teamIdOf(number: number): string {
  return derivedId(`team:${number}`);
}

/**
 * A match label as it is kept: spaces around it dropped, runs of spaces made
 * one, upper case, then Unicode NFC (upper-casing can undo NFC: `ΐ` becomes
 * three code points), so `q2 `, `Q2` and ` Q2` are one match and ` Q 2` another.
 */
export function normalizeMatchLabel(label: string): string {
  return label.normalize('NFC').trim().replace(/\s+/g, ' ').toUpperCase().normalize('NFC');
}

/** The id of the match labelled `label` (e.g. `Q2`, or `q2 `: normalized first), the same on every laptop. */
export function matchIdOf(label: string): string {
  return derivedId(`match:${normalizeMatchLabel(label)}`);
}

/** Creates the scouting tables when missing, and brings older ones up to date. */
export function createScoutingSchema(db: Database.Database): void {
  db.exec(SCOUTING_SCHEMA);
  for (const [table, column, declaration] of ADDED_COLUMNS) {
    const has = db.prepare('SELECT 1 FROM pragma_table_info(?) WHERE name = ?').safeIntegers(false).get(table, column) !== undefined;
    if (!has) db.exec(`ALTER TABLE ${table} ADD COLUMN ${column} ${declaration}`);
  }
  db.exec('CREATE UNIQUE INDEX IF NOT EXISTS teams_pit ON teams (pit)');
}
