import { randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type Database from 'better-sqlite3';
import { enableCapture } from '../lib/data/capture';
import type { ChangeTracker } from '../lib/data/change-tracker';
import type { WireChangeset } from '../lib/data/changeset';
import { openDataDb } from './data-table';
import { emit, median, round, timeMs } from './figure';

const ROWS = 10_000;
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 7);

/** A table with a UNIQUE constraint and a foreign key, as the issue asks. */
const SCHEMA = `
CREATE TABLE teams (id TEXT PRIMARY KEY NOT NULL, name TEXT NOT NULL);
CREATE TABLE reports (
  id TEXT PRIMARY KEY NOT NULL, team_id TEXT NOT NULL REFERENCES teams (id), match TEXT NOT NULL,
  scout TEXT NOT NULL, score INTEGER NOT NULL, UNIQUE (match, team_id, scout));
`;

type Row = [string, string, string, string, bigint];

function openDb(dir: string, name: string): Database.Database {
  return openDataDb(dir, name, SCHEMA);
}

function rows(teams: readonly string[], prefix: string): Row[] {
  return Array.from({ length: ROWS }, (_, i) => [randomUUID(), teams[i % teams.length] ?? '', `${prefix}${Math.floor(i / teams.length)}`, 'scout', BigInt(i % 97)]);
}

function insertAll(db: Database.Database, teams: readonly string[], reports: readonly Row[]): void {
  const team = db.prepare('INSERT OR IGNORE INTO teams VALUES (?, ?)');
  const report = db.prepare('INSERT INTO reports VALUES (?, ?, ?, ?, ?)');
  db.transaction(() => {
    teams.forEach((id, i) => team.run(id, `team ${i}`));
    for (const row of reports) report.run(...row);
  })();
}

/** The changeset of `reports` written on a fresh server that holds the teams. */
function changesetOf(dir: string, teams: readonly string[], reports: readonly Row[]): WireChangeset {
  const source = openDb(dir, `source-${randomUUID()}.db`);
  const tracker = enableCapture(source, { tables: ['teams', 'reports'] });
  insertAll(source, teams, reports);
  const page = tracker.readChanges(0, ROWS * 2);
  source.close();
  return page;
}

/** A server that already holds the teams and 10k other reports. */
function populated(dir: string, name: string, teams: readonly string[], existing: readonly Row[]): { db: Database.Database; tracker: ChangeTracker } {
  const db = openDb(dir, name);
  const tracker = enableCapture(db, { tables: ['teams', 'reports'] });
  insertAll(db, teams, existing);
  tracker.fold();
  return { db, tracker };
}

/**
 * Applying 10k rows into a table with a UNIQUE and a foreign key that already
 * holds 10k rows, against a raw insert of the same rows into the same state;
 * and the same changeset where 1 % of the rows claim a UNIQUE value already
 * held (parked) and 1 % point at a team that is gone (parked).
 */
export async function runConstraintBenchmarks(): Promise<void> {
  const base = mkdtempSync(path.join(os.tmpdir(), 'ess-bench-constraints-'));
  try {
    const teams = Array.from({ length: 40 }, () => randomUUID());
    const existing = rows(teams, 'E');
    const incoming = rows(teams, 'Q');
    const clashing = incoming.map((row, i): Row => (i % 100 === 0 ? [row[0], row[1], existing[i]?.[2] ?? row[2], row[3], row[4]] : i % 100 === 50 ? [row[0], 'gone', row[2], row[3], row[4]] : row));
    const times = { raw: [] as number[], apply: [] as number[], clashes: [] as number[], parked: 0 };
    for (let r = 0; r < ROUNDS; r += 1) {
      const clean = changesetOf(base, teams, incoming);
      const dirty = changesetOf(base, [...teams, 'gone'], clashing);
      const raw = openDb(base, `raw-${r}.db`);
      insertAll(raw, teams, existing);
      times.raw.push(await timeMs(() => insertAll(raw, [], incoming)));
      const target = populated(base, `target-${r}.db`, teams, existing);
      times.apply.push(await timeMs(() => target.tracker.applyChangeset(clean)));
      const other = populated(base, `clash-${r}.db`, teams, existing);
      dirty.changes = dirty.changes.filter((change) => !(change.table === 'teams' && change.key[0] === 'gone'));
      times.clashes.push(await timeMs(() => (times.parked = other.tracker.applyChangeset(dirty).conflicts.length)));
      for (const db of [raw, target.db, other.db]) db.close();
      rmSync(base, { recursive: true, force: true });
      mkdirSync(base);
    }
    const ratio = median(times.apply.map((apply, i) => apply / (times.raw[i] ?? apply)));
    emit({ bench: 'data', figure: 'apply_10k_unique_fk_over_raw_insert', value: round(ratio), unit: 'ratio', detail: { apply_ms: round(median(times.apply)), raw_ms: round(median(times.raw)), rows_already_there: ROWS, rounds: ROUNDS } });
    emit({ bench: 'data', figure: 'apply_10k_unique_fk_2pct_parked_ms', value: round(median(times.clashes)), unit: 'ms', detail: { parked: times.parked, clean_apply_ms: round(median(times.apply)), rounds: ROUNDS } });
  } finally {
    rmSync(base, { recursive: true, force: true });
  }
}
