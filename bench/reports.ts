import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import express from 'express';
import { enableCapture } from '../lib/data/capture';
import { silentLogger } from '../lib/logger';
import { joinFromPeer } from '../lib/peers/snapshot-join';
import { SyncClient } from '../lib/peers/sync-client';
import { createSyncRouter } from '../node/create-sync-router';
import { createScoutingSchema } from '../sample-app/scouting-schema';
import { emit, median, round, timeMs } from './figure';
import { TOKEN } from './harness';

const RUNS = Number(process.env.BENCH_SNAPSHOT_RUNS ?? 3);
const TABLES = ['teams', 'matches', 'match_reports'];
const SIZES = [100_000, 1_000_000];

function openScouting(file: string): Database.Database {
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('foreign_keys = ON');
  createScoutingSchema(db);
  return db;
}

/** Inserts 60 teams, the matches and `rows` match reports in one transaction. */
function insertReports(db: Database.Database, rows: number): void {
  const team = db.prepare('INSERT INTO teams (id, number, name) VALUES (?, ?, ?)');
  const match = db.prepare('INSERT INTO matches (id, label) VALUES (?, ?)');
  const report = db.prepare('INSERT INTO match_reports (id, match_id, team_id, scout, auto_points, teleop_points, notes, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)');
  db.transaction(() => {
    const teams = Array.from({ length: 60 }, (_, i) => `team-${i}`);
    teams.forEach((id, i) => team.run(id, i + 1, `Team ${i}`));
    for (let m = 0; m * teams.length < rows; m += 1) match.run(`match-${m}`, `Q${m}`);
    for (let i = 0; i < rows; i += 1) report.run(`report-${i}`, `match-${Math.floor(i / teams.length)}`, teams[i % teams.length], 'scout', i % 20, i % 50, `note ${i}`, '2026-03-01T10:00:00Z');
  })();
}

/** A raw insert of the same rows into an untracked sample-app database: the baseline's own growth from 100k to 1M rows. */
async function rawInsertOnce(dir: string, rows: number, name: string): Promise<number> {
  const file = path.join(dir, name);
  const db = openScouting(file);
  try {
    return await timeMs(() => insertReports(db, rows));
  } finally {
    db.close();
    for (const side of ['', '-wal', '-shm']) rmSync(`${file}${side}`, { force: true });
  }
}

/** The sample app's `match_reports` (two foreign keys, a UNIQUE), `rows` of them, in a tracked database served on 127.0.0.1. */
async function reportsPeer(dir: string, rows: number): Promise<{ url: string; close(): Promise<void> }> {
  const db = openScouting(path.join(dir, `reports-${rows}.db`));
  const tracker = enableCapture(db, { tables: TABLES });
  insertReports(db, rows);
  tracker.fold();
  const app = express().use('/api/sync', createSyncRouter({ token: TOKEN, database: db, tables: TABLES, logger: silentLogger }));
  const server = http.createServer(app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/sync`,
    close: async () => {
      await new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      });
      db.close();
    },
  };
}

/** One page-by-page pull (snapshots off) of every row into an empty sample-app database, as an incremental sync does. */
async function pullOnce(dir: string, url: string, name: string): Promise<number> {
  const file = path.join(dir, name);
  const db = openScouting(file);
  const client = new SyncClient({ logger: silentLogger, peers: [url], token: TOKEN, data: enableCapture(db, { tables: TABLES }), joinBySnapshot: false });
  try {
    return await timeMs(async () => {
      const result = await client.syncPeer(url);
      if (!result.ok) throw new Error(`pull failed: ${result.error?.message ?? ''}`);
    });
  } finally {
    await client.stop();
    db.close();
    for (const side of ['', '-wal', '-shm']) rmSync(`${file}${side}`, { force: true });
  }
}

/** One `join` (snapshot) into a new file. */
async function joinOnce(dir: string, url: string, name: string): Promise<number> {
  const file = path.join(dir, name);
  try {
    return await timeMs(() => joinFromPeer({ url, token: TOKEN, db: file }));
  } finally {
    for (const side of ['', '-wal', '-shm']) rmSync(`${file}${side}`, { force: true });
  }
}

/** µs per row, keyed by the row count. */
type PerRow = Readonly<Record<number, number>>;

function scaling(perRow: PerRow): number {
  return (perRow[1_000_000] ?? 0) / (perRow[100_000] ?? 1);
}

function emitScaling(figure: string, perRow: PerRow, raw: PerRow, what: string): void {
  const ratio = scaling(perRow);
  emit({
    bench: 'snapshot',
    figure,
    value: round(ratio),
    unit: 'ratio',
    target: '<= 1.2',
    met: ratio <= 1.2,
    detail: {
      us_per_row_100k: round(perRow[100_000] ?? 0),
      us_per_row_1m: round(perRow[1_000_000] ?? 0),
      raw_insert_us_per_row_100k: round(raw[100_000] ?? 0),
      raw_insert_us_per_row_1m: round(raw[1_000_000] ?? 0),
      raw_insert_1m_over_100k: round(scaling(raw)),
      runs: RUNS,
      what,
    },
  });
}

/**
 * µs per row of bringing an empty server up to a peer holding the sample app's
 * `match_reports` (two foreign keys, a UNIQUE), at 1M rows ÷ at 100k, by a
 * snapshot join and page by page (snapshots off): the work must grow with the
 * rows, not faster (a constraint check that scans a table per page would).
 */
export async function runReportsScalingBenchmark(): Promise<void> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'ess-bench-reports-'));
  try {
    const joins: Record<number, number> = {};
    const pulls: Record<number, number> = {};
    const raws: Record<number, number> = {};
    for (const rows of SIZES) {
      const peer = await reportsPeer(dir, rows);
      try {
        const joined: number[] = [];
        const pulled: number[] = [];
        const raw: number[] = [];
        for (let run = 0; run < RUNS; run += 1) {
          joined.push(await joinOnce(dir, peer.url, `joined-${rows}-${run}.db`));
          pulled.push(await pullOnce(dir, peer.url, `pulled-${rows}-${run}.db`));
          raw.push(await rawInsertOnce(dir, rows, `raw-${rows}-${run}.db`));
        }
        joins[rows] = (median(joined) * 1000) / rows;
        pulls[rows] = (median(pulled) * 1000) / rows;
        raws[rows] = (median(raw) * 1000) / rows;
      } finally {
        await peer.close();
      }
    }
    emitScaling('match_reports_join_us_per_row_1m_over_100k', joins, raws, 'snapshot join (express-sqlite-sync join)');
    emitScaling('match_reports_pull_us_per_row_1m_over_100k', pulls, raws, 'page by page, snapshots off (joinBySnapshot: false), into an empty running server');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
