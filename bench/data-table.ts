import { randomUUID } from 'node:crypto';
import path from 'node:path';
import Database from 'better-sqlite3';

/** Rows per figure of the data benchmarks. */
export const DATA_ROWS = 100_000;

/** A 7-column table with a text UUID key, a UNIQUE index and a foreign key, as in DESIGN.md's cost notes. */
export const DATA_SCHEMA = `
CREATE TABLE teams (id TEXT PRIMARY KEY NOT NULL, name TEXT NOT NULL);
CREATE TABLE reports (
  id TEXT PRIMARY KEY NOT NULL, team_id TEXT NOT NULL REFERENCES teams (id), match TEXT NOT NULL,
  scout TEXT NOT NULL, score INTEGER NOT NULL, rating REAL, notes TEXT, UNIQUE (match, team_id, scout));
`;

/** One `reports` row, in column order. */
export type DataRow = [string, string, string, string, bigint, number, string];

/** The rows and teams every round of the data benchmarks writes. */
export interface DataInput {
  /** The folder the round's databases go in (emptied between rounds). */
  readonly base: string;
  readonly teams: readonly string[];
  readonly rows: readonly DataRow[];
}

/** {@link DATA_ROWS} report rows spread over `teams`, with new UUID keys. */
export function makeDataRows(teams: readonly string[]): DataRow[] {
  return Array.from({ length: DATA_ROWS }, (_, i) => [
    randomUUID(),
    teams[i % teams.length] ?? '',
    `Q${Math.floor(i / teams.length)}`,
    'scout',
    BigInt(i % 97),
    (i % 1000) / 7,
    `note ${i}`,
  ]);
}

/** A new WAL database of `schema` ({@link DATA_SCHEMA} by default) in `dir`, with foreign keys on. */
export function openDataDb(dir: string, name: string, schema = DATA_SCHEMA): Database.Database {
  const db = new Database(path.join(dir, name));
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('foreign_keys = ON');
  db.exec(schema);
  return db;
}

/**
 * Inserts the teams, then the reports, in one transaction.
 * @param alsoEach - run after each report's insert, in the same transaction (a floor's extra write)
 */
export function insertData(db: Database.Database, teams: readonly string[], rows: readonly DataRow[], alsoEach?: (row: DataRow) => void): void {
  const team = db.prepare('INSERT INTO teams VALUES (?, ?)');
  const report = db.prepare('INSERT INTO reports VALUES (?, ?, ?, ?, ?, ?, ?)');
  db.transaction(() => {
    teams.forEach((id, i) => team.run(id, `team ${i}`));
    for (const row of rows) {
      report.run(...row);
      alsoEach?.(row);
    }
  })();
}
