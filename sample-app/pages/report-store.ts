import { randomUUID } from 'node:crypto';
import type Database from 'better-sqlite3';
import { matchIdOf, normalizeMatchLabel, teamIdOf } from '../scouting-schema';

/** A checked match report as entered on the form. */
export interface ReportEntry {
  readonly teamNumber: number;
  readonly teamName: string;
  readonly matchLabel: string;
  readonly scout: string;
  readonly autoPoints: number;
  readonly teleopPoints: number;
  readonly notes: string | null;
}

/** One line of the report list. Team and match are null when their row has not arrived yet. */
export interface ReportListRow {
  readonly id: string;
  readonly match_label: string | null;
  readonly team_number: number | null;
  readonly team_name: string | null;
  readonly scout: string;
  readonly auto_points: number;
  readonly teleop_points: number;
  readonly notes: string | null;
  readonly updated_at: string;
}

/** Thrown by {@link ReportStore.add} when this scout already reported this team in this match. */
export class DuplicateReportError extends Error {
  constructor(entry: ReportEntry) {
    super(`${entry.scout} has already reported team ${entry.teamNumber} in match ${entry.matchLabel}`);
    this.name = 'DuplicateReportError';
  }
}

const LIST_SQL = `SELECT r.id, m.label AS match_label, t.number AS team_number, t.name AS team_name,
       r.scout, r.auto_points, r.teleop_points, r.notes, r.updated_at
  FROM match_reports r
  LEFT JOIN matches m ON m.id = r.match_id
  LEFT JOIN teams t ON t.id = r.team_id
 ORDER BY r.updated_at DESC, r.id
 LIMIT ?`;

/**
 * The pages' access to the scouting tables: the report list, and a report
 * entry that creates its team (by number) and match (by label) when missing,
 * all in one transaction. Teams and matches are keyed by their natural key
 * (`teamIdOf`, `matchIdOf`), so two laptops entering team 971 in match Q2
 * before they sync create the same team and match rows.
 */
export class ReportStore {
  readonly #list: Database.Statement<[number], ReportListRow>;
  readonly #addTeam: Database.Statement<[string, number, string]>;
  readonly #addMatch: Database.Statement<[string, string]>;
  readonly #addReport: Database.Statement<[string, string, string, string, number, number, string | null, string]>;
  readonly #add: (entry: ReportEntry) => string;

  /** @param db - the sample app's database, with the scouting schema */
  constructor(db: Database.Database) {
    this.#list = db.prepare<[number], ReportListRow>(LIST_SQL).safeIntegers(false);
    this.#addTeam = db.prepare<[string, number, string]>('INSERT OR IGNORE INTO teams (id, number, name) VALUES (?, ?, ?)');
    this.#addMatch = db.prepare<[string, string]>('INSERT OR IGNORE INTO matches (id, label, starts_at) VALUES (?, ?, NULL)');
    this.#addReport = db.prepare(
      `INSERT INTO match_reports (id, match_id, team_id, scout, auto_points, teleop_points, notes, updated_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.#add = db.transaction((entry: ReportEntry) => this.#insert(entry));
  }

  /** The newest `limit` reports, newest first. */
  list(limit: number): ReportListRow[] {
    return this.#list.all(limit);
  }

  /**
   * Adds a report, creating its team and match when missing; returns its id.
   * @throws DuplicateReportError when the scout already reported this team in this match (nothing is written)
   */
  add(entry: ReportEntry): string {
    try {
      return this.#add(entry);
    } catch (error) {
      if ((error as { code?: unknown }).code === 'SQLITE_CONSTRAINT_UNIQUE') throw new DuplicateReportError(entry);
      throw error;
    }
  }

  #insert(entry: ReportEntry): string {
    const teamId = teamIdOf(entry.teamNumber);
    this.#addTeam.run(teamId, entry.teamNumber, entry.teamName);
    const label = normalizeMatchLabel(entry.matchLabel);
    const matchId = matchIdOf(label);
    this.#addMatch.run(matchId, label);
    const id = randomUUID();
    this.#addReport.run(id, matchId, teamId, entry.scout, entry.autoPoints, entry.teleopPoints, entry.notes, new Date().toISOString());
    return id;
  }
}
