import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { enableCapture } from '../lib/capture';
import type { WireChangeset } from '../lib/changeset';
import { emit, median, round, timeMs } from './figure';

const ROWS = 100_000;
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);

/** A 7-column table with a text UUID key, a UNIQUE index and a foreign key, as in DESIGN.md's cost notes. */
const SCHEMA = `
CREATE TABLE teams (id TEXT PRIMARY KEY NOT NULL, name TEXT NOT NULL);
CREATE TABLE reports (
  id TEXT PRIMARY KEY NOT NULL, team_id TEXT NOT NULL REFERENCES teams (id), match TEXT NOT NULL,
  scout TEXT NOT NULL, score INTEGER NOT NULL, rating REAL, notes TEXT, UNIQUE (match, team_id, scout));
`;

type Row = [string, string, string, string, bigint, number, string];

function makeRows(teams: readonly string[]): Row[] {
  return Array.from({ length: ROWS }, (_, i) => [
    randomUUID(),
    teams[i % teams.length] ?? '',
    `Q${Math.floor(i / teams.length)}`,
    'scout',
    BigInt(i % 97),
    (i % 1000) / 7,
    `note ${i}`,
  ]);
}

function openDb(dir: string, name: string, teams: readonly string[]): Database.Database {
  const db = new Database(path.join(dir, name));
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('foreign_keys = ON');
  db.exec(SCHEMA);
  const insert = db.prepare('INSERT INTO teams VALUES (?, ?)');
  db.transaction(() => teams.forEach((id, i) => insert.run(id, `team ${i}`)))();
  return db;
}

function insertAll(db: Database.Database, rows: readonly Row[]): void {
  const insert = db.prepare('INSERT INTO reports VALUES (?, ?, ?, ?, ?, ?, ?)');
  db.transaction(() => {
    for (const row of rows) insert.run(...row);
  })();
}

interface Rounds {
  untracked: number[];
  tracked: number[];
  raw: number[];
  apply: number[];
  reapply: number[];
  read: number[];
  noop: number[];
}

async function oneRound(base: string, round: number, teams: readonly string[], rows: readonly Row[], into: Rounds): Promise<void> {
  const plain = openDb(base, `plain-${round}.db`, teams);
  into.untracked.push(await timeMs(() => insertAll(plain, rows)));
  plain.close();

  const source = openDb(base, `source-${round}.db`, teams);
  enableCapture(source, { tables: ['teams', 'reports'] });
  into.tracked.push(await timeMs(() => insertAll(source, rows)));
  const tracker = enableCapture(source, { tables: ['teams', 'reports'] });
  let page: WireChangeset | undefined;
  into.read.push(await timeMs(() => (page = tracker.readChanges(0, ROWS + teams.length))));
  const head = tracker.info().seq;
  into.noop.push(await timeMs(() => tracker.readChanges(head, 1000)));
  source.close();

  // Raw insert of exactly the rows the changeset carries, into an empty database.
  const raw = new Database(path.join(base, `raw-${round}.db`));
  raw.pragma('journal_mode = WAL');
  raw.pragma('synchronous = NORMAL');
  raw.pragma('foreign_keys = ON');
  raw.exec(SCHEMA);
  into.raw.push(
    await timeMs(() => {
      const insert = raw.prepare('INSERT INTO teams VALUES (?, ?)');
      raw.transaction(() => teams.forEach((id, i) => insert.run(id, `team ${i}`)))();
      insertAll(raw, rows);
    }),
  );
  raw.close();

  const target = new Database(path.join(base, `target-${round}.db`));
  target.pragma('journal_mode = WAL');
  target.pragma('synchronous = NORMAL');
  target.pragma('foreign_keys = ON');
  target.exec(SCHEMA);
  const receiver = enableCapture(target, { tables: ['teams', 'reports'] });
  into.apply.push(await timeMs(() => receiver.applyChangeset(page)));
  into.reapply.push(await timeMs(() => receiver.applyChangeset(page)));
  target.close();
}

/** Data benchmarks: capture cost, reading and applying 100k-row changesets, and a no-op read. */
export async function runDataBenchmarks(): Promise<void> {
  const base = mkdtempSync(path.join(os.tmpdir(), 'ess-bench-data-'));
  try {
    const teams = Array.from({ length: 40 }, () => randomUUID());
    const rows = makeRows(teams);
    const rounds: Rounds = { untracked: [], tracked: [], raw: [], apply: [], reapply: [], read: [], noop: [] };
    for (let round = 0; round < ROUNDS; round += 1) await oneRound(base, round, teams, rows, rounds);
    const m = Object.fromEntries(Object.entries(rounds).map(([key, values]) => [key, median(values)])) as Record<keyof Rounds, number>;
    const insertRatio = m.tracked / m.untracked;
    const applyRatio = m.apply / m.raw;
    emit({ bench: 'data', figure: 'tracked_over_untracked_insert_100k', value: round(insertRatio), unit: 'ratio', target: '<= 2.0', met: insertRatio <= 2, detail: { tracked_ms: round(m.tracked), untracked_ms: round(m.untracked) } });
    emit({ bench: 'data', figure: 'read_changes_100k_ms', value: round(m.read), unit: 'ms', detail: { note: 'first read after the inserts: folds the capture log, then builds one 100k-row page' } });
    emit({ bench: 'data', figure: 'apply_over_raw_insert_100k', value: round(applyRatio), unit: 'ratio', target: '<= 2.0', met: applyRatio <= 2, detail: { apply_ms: round(m.apply), raw_ms: round(m.raw) } });
    emit({ bench: 'data', figure: 'reapply_same_changeset_100k_ms', value: round(m.reapply), unit: 'ms' });
    emit({ bench: 'data', figure: 'noop_read_changes_100k_db_ms', value: round(m.noop), unit: 'ms', target: '<= 20', met: m.noop <= 20 });
  } finally {
    rmSync(base, { recursive: true, force: true });
  }
}
