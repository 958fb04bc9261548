import type Database from 'better-sqlite3';

/** Every table the sample app syncs as data. */
export const SCOUTING_TABLES = ['app_events', 'teams', 'matches', 'match_reports'] as const;

/**
 * The scouting schema: text UUID keys (never `INTEGER PRIMARY KEY`, which
 * collides between servers), reports pointing at their team and match, and
 * one report per scout, team and match.
 */
export const SCOUTING_SCHEMA = `
CREATE TABLE IF NOT EXISTS teams (
  id TEXT PRIMARY KEY NOT NULL,
  number INTEGER NOT NULL,
  name TEXT NOT NULL
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

/** Creates the scouting tables when missing. */
export function createScoutingSchema(db: Database.Database): void {
  db.exec(SCOUTING_SCHEMA);
}
