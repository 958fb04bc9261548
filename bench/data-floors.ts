import { randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type Database from 'better-sqlite3';
import { triggerNames } from '../lib/data/capture-sql';
import { enableCapture } from '../lib/data/capture';
import { DATA_ROWS, insertData, makeDataRows, openDataDb, type DataInput } from './data-table';
import { emit, median, round, timeMs } from './figure';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 7);

/** The shape of the metadata's per-row table (`_sync_rows` in lib/data/capture-sql.ts), under a name of its own. */
const ROW_CLOCKS = `CREATE TABLE floor_rows (born INTEGER PRIMARY KEY, tbl INTEGER NOT NULL, pk NOT NULL, cl INTEGER NOT NULL, hlc INTEGER NOT NULL, site INTEGER NOT NULL, UNIQUE (tbl, pk));
CREATE TABLE floor_log (seq INTEGER PRIMARY KEY, tbl INTEGER NOT NULL, pk NOT NULL, hlc INTEGER NOT NULL);`;

/** Milliseconds per floor and the raw insert each is divided by, round by round. */
interface FloorRounds {
  raw: number[];
  foldAndRead: number[];
  insertAndMeta: number[];
  captureNoProbe: number[];
  captureNoProbeBase: number[];
}

/**
 * The least any fold-on-read design does on a first read: one metadata row written per logged row, by one
 * set-based INSERT … SELECT (as the fold's bulk path does), then every row read once, joined to its
 * metadata, in birth order, as arrays (no encoding, no page). The log it folds is written untimed.
 */
function foldAndRead(db: Database.Database): number {
  db.exec(ROW_CLOCKS);
  db.exec('INSERT INTO floor_log (tbl, pk, hlc) SELECT 2, id, 5 FROM reports ORDER BY rowid');
  const fold = db.prepare('INSERT INTO floor_rows (born, tbl, pk, cl, hlc, site) SELECT seq, tbl, pk, 1, hlc, 0 FROM floor_log');
  const read = db.prepare('SELECT m.born, m.cl, m.hlc, m.site, r.* FROM floor_rows AS m JOIN reports AS r ON r.id = m.pk ORDER BY m.born').raw(true);
  const start = performance.now();
  db.transaction(() => fold.run())();
  const rows = read.all();
  const ms = performance.now() - start;
  if (rows.length !== DATA_ROWS) throw new Error(`floor read ${rows.length} rows`);
  return ms;
}

/** The least an apply into an empty database writes: each row, and one metadata row beside it, in one transaction. */
function insertWithMeta(db: Database.Database, input: DataInput): number {
  db.exec(ROW_CLOCKS);
  const meta = db.prepare('INSERT INTO floor_rows (tbl, pk, cl, hlc, site) VALUES (2, ?, 1, 5, 1)');
  const start = performance.now();
  insertData(db, input.teams, input.rows, (row) => meta.run(row[0]));
  return performance.now() - start;
}

/** Capture as enableCapture sets it up, but without the BEFORE INSERT trigger that probes the UNIQUE index for REPLACE. */
function captureWithoutProbe(db: Database.Database, input: DataInput): number {
  enableCapture(db, { tables: ['teams', 'reports'] });
  const table = db.prepare("SELECT id FROM _sync_tables WHERE name = 'reports'").pluck().get() as number;
  db.exec(`DROP TRIGGER "${triggerNames(table)[4] ?? ''}"`);
  const start = performance.now();
  insertData(db, input.teams, input.rows);
  return performance.now() - start;
}

/** Two timed writes back to back, in an order that alternates by round so a drift in the machine's speed favours neither. */
async function paired(round: number, a: () => number | Promise<number>, b: () => number | Promise<number>): Promise<[number, number]> {
  if (round % 2 === 0) return [await a(), await b()];
  const second = await b();
  return [await a(), second];
}

async function floorRound(input: DataInput, round: number, into: FloorRounds): Promise<void> {
  const raw = openDataDb(input.base, `floor-raw-${round}.db`);
  const meta = openDataDb(input.base, `floor-meta-${round}.db`);
  const [rawMs, metaMs] = await paired(round, () => timeMs(() => insertData(raw, input.teams, input.rows)), () => insertWithMeta(meta, input));
  into.raw.push(rawMs);
  into.insertAndMeta.push(metaMs);
  meta.close();
  into.foldAndRead.push(foldAndRead(raw));
  raw.close();
  // Paired as the capture figure is: an untracked insert (SQLite's default cache) beside the capture.
  const plain = openDataDb(input.base, `floor-plain-${round}.db`);
  const tracked = openDataDb(input.base, `floor-noprobe-${round}.db`);
  const [plainMs, trackedMs] = await paired(round, () => timeMs(() => insertData(plain, input.teams, input.rows)), () => captureWithoutProbe(tracked, input));
  into.captureNoProbeBase.push(plainMs);
  into.captureNoProbe.push(trackedMs);
  plain.close();
  tracked.close();
}

/**
 * Floors under three of issue 12's targets, measured in the same run as the figures: what SQLite and
 * better-sqlite3 alone cost for the work a first read and an apply cannot skip, and what capture costs
 * once the one guarantee-bearing probe is taken away. They are not this project's figures: they say how
 * far below them a target lies.
 */
export async function runFloorBenchmarks(): Promise<void> {
  const base = mkdtempSync(path.join(os.tmpdir(), 'ess-bench-floors-'));
  try {
    const teams = Array.from({ length: 40 }, () => randomUUID());
    const input: DataInput = { base, teams, rows: makeDataRows(teams) };
    const rounds: FloorRounds = { raw: [], foldAndRead: [], insertAndMeta: [], captureNoProbe: [], captureNoProbeBase: [] };
    for (let r = 0; r < ROUNDS; r += 1) {
      await floorRound(input, r, rounds);
      rmSync(base, { recursive: true, force: true });
      mkdirSync(base);
    }
    const over = (values: number[], bases: number[] = rounds.raw): number => round(median(values.map((value, i) => value / (bases[i] ?? value))));
    const raw = round(median(rounds.raw));
    emit({
      bench: 'data',
      figure: 'floor_fold_and_read_over_raw_insert_100k',
      value: over(rounds.foldAndRead),
      unit: 'ratio',
      detail: { ms: round(median(rounds.foldAndRead)), raw_ms: raw, rounds: ROUNDS, under: 'read_changes_100k_over_raw_insert (target <= 1.0)', what: 'one set-based INSERT of a metadata row per row, then one join read of every row as arrays: no encoding, no page' },
    });
    emit({
      bench: 'data',
      figure: 'floor_insert_plus_metadata_row_over_raw_insert_100k',
      value: over(rounds.insertAndMeta),
      unit: 'ratio',
      detail: { ms: round(median(rounds.insertAndMeta)), raw_ms: raw, rounds: ROUNDS, under: 'apply_over_raw_insert_100k (target <= 1.6)', what: 'each row inserted with one metadata row beside it, in one transaction: no decoding, no merge, no cell clocks' },
    });
    emit({
      bench: 'data',
      figure: 'capture_without_replace_probe_over_untracked_100k',
      value: over(rounds.captureNoProbe, rounds.captureNoProbeBase),
      unit: 'ratio',
      detail: { ms: round(median(rounds.captureNoProbe)), untracked_ms: round(median(rounds.captureNoProbeBase)), rounds: ROUNDS, under: 'tracked_over_untracked_insert_100k (target <= 1.5)', what: 'capture without the BEFORE INSERT trigger that logs the rows an INSERT OR REPLACE deletes through a UNIQUE index' },
    });
  } finally {
    rmSync(base, { recursive: true, force: true });
  }
}
