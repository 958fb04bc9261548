import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import express from 'express';
import { enableCapture } from '../lib/data/capture';
import { silentLogger } from '../lib/logger';
import { SyncClient } from '../lib/peers/sync-client';
import { joinFromPeer } from '../lib/peers/snapshot-join';
import { createSyncRouter } from '../node/create-sync-router';
import { createScoutingSchema } from '../sample-app/scouting-schema';
import { emit, median, round, timeMs } from './figure';
import { openDestination, pullOnce, rawInsertMs, startSource, TOKEN } from './harness';

const SIZES = (process.env.BENCH_SNAPSHOT_ROWS ?? '100000,1000000').split(',').map(Number).filter((rows) => rows > 0);
const RUNS = Number(process.env.BENCH_SNAPSHOT_RUNS ?? 3);
/** Rows the peer writes while new servers join: one every 10 ms. */
const WRITES_DURING_JOIN = 300;

/** One `join` (the CLI's path) into a new file, then one sync round: converged when both hold the same count. */
async function joinOnce(dir: string, url: string, expectedRows: number): Promise<{ ms: number; bytes: number; pulledAfter: number; converged: boolean }> {
  const file = path.join(dir, `joined-${Date.now()}.db`);
  let result: Awaited<ReturnType<typeof joinFromPeer>> | undefined;
  const ms = await timeMs(async () => {
    result = await joinFromPeer({ url, token: TOKEN, db: file });
  });
  if (result === undefined || result.pullError !== undefined) throw new Error(`join failed: ${result?.pullError?.message ?? ''}`);
  await new Promise((resolve) => setTimeout(resolve, WRITES_DURING_JOIN * 10 + 500)); // the peer's writes are over
  const db = new Database(file);
  try {
    const client = new SyncClient({ logger: silentLogger, peers: [url], token: TOKEN, data: enableCapture(db, { tables: ['readings'] }) });
    const round2 = await client.syncPeer(url);
    await client.stop();
    const count = db.prepare('SELECT count(*) FROM readings').pluck().get() as number;
    const healthy = db.pragma('quick_check', { simple: true }) === 'ok';
    return { ms, bytes: result.snapshotBytes, pulledAfter: result.rowsPulled + round2.rowsPulled, converged: round2.ok && healthy && count === expectedRows };
  } finally {
    db.close();
    rmSync(file, { force: true });
    for (const side of ['-wal', '-shm']) rmSync(`${file}${side}`, { force: true });
  }
}

/** An empty running node that starts from the peer's snapshot by itself (imported into its open database). */
async function autoJoinOnce(dir: string, url: string): Promise<{ ms: number; rows: number }> {
  const db = openDestination(dir, `auto-${Date.now()}.db`);
  const client = new SyncClient({ logger: silentLogger, peers: [url], token: TOKEN, data: enableCapture(db, { tables: ['readings'] }), snapshotMinChanges: 1 });
  try {
    let rows = 0;
    const ms = await timeMs(async () => {
      const result = await client.syncPeer(url);
      if (!result.ok) throw new Error(`auto-join failed: ${result.error?.message ?? ''}`);
      rows = result.rowsPulled;
    });
    return { ms, rows };
  } finally {
    await client.stop();
    db.close();
  }
}

async function benchSize(dir: string, rows: number): Promise<void> {
  const rawMs = await rawInsertMs(dir, rows, RUNS);
  const source = await startSource(rows, { WRITE_ROWS: String(WRITES_DURING_JOIN) });
  try {
    const joins: number[] = [];
    const autos: number[] = [];
    const pages: number[] = [];
    let last = { bytes: 0, pulledAfter: 0, converged: true };
    for (let run = 0; run < RUNS; run += 1) {
      const joined = await joinOnce(dir, source.info.url, rows + WRITES_DURING_JOIN);
      joins.push(joined.ms);
      last = { bytes: joined.bytes, pulledAfter: Math.max(last.pulledAfter, joined.pulledAfter), converged: last.converged && joined.converged };
      autos.push((await autoJoinOnce(dir, source.info.url)).ms);
      if (rows <= 200_000) pages.push((await pullOnce(dir, source.info.url, { joinBySnapshot: false })).ms);
    }
    const ms = median(joins);
    const target = rows >= 1_000_000 ? '<= 1.0' : undefined;
    emit({
      bench: 'snapshot',
      figure: `join_by_snapshot_${rows}_over_raw_insert`,
      value: round(ms / rawMs),
      unit: 'ratio',
      ...(target === undefined ? {} : { target, met: ms / rawMs <= 1 && last.converged }),
      detail: { join_ms: round(ms), raw_insert_ms: round(rawMs), snapshot_bytes: last.bytes, rows_pulled_after_first_join: last.pulledAfter, converged_with_writes_during_join: String(last.converged), runs: RUNS, what: 'express-sqlite-sync join: snapshot built by the peer, streamed, hashed, integrity_check, new site id, then the rows written meanwhile pulled' },
    });
    emit({ bench: 'snapshot', figure: `auto_join_${rows}_over_raw_insert`, value: round(median(autos) / rawMs), unit: 'ratio', detail: { ms: round(median(autos)), what: 'an empty running node imports the snapshot into its open database (ATTACH, one transaction)' } });
    if (pages.length > 0) emit({ bench: 'snapshot', figure: `join_page_by_page_${rows}_over_raw_insert`, value: round(median(pages) / rawMs), unit: 'ratio', detail: { ms: round(median(pages)), what: 'the same join without snapshots (joinBySnapshot: false)' } });
  } finally {
    await source.stop();
  }
}

/** Snapshot joins, 100k and 1M rows, against a raw insert of the same rows in the same run (issue 12, item 5). */
export async function runSnapshotBenchmarks(): Promise<void> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'ess-bench-snapshot-'));
  try {
    for (const rows of SIZES) await benchSize(dir, rows);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  if (process.env.BENCH_SNAPSHOT_REPORTS !== '0') await runReportsScalingBenchmark();
}

/** The sample app's `match_reports` (two foreign keys, a UNIQUE), `rows` of them, in a tracked database served on 127.0.0.1. */
async function reportsPeer(dir: string, rows: number): Promise<{ url: string; close(): Promise<void> }> {
  const db = new Database(path.join(dir, `reports-${rows}.db`));
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('foreign_keys = ON');
  createScoutingSchema(db);
  const tracker = enableCapture(db, { tables: ['teams', 'matches', 'match_reports'] });
  const team = db.prepare('INSERT INTO teams (id, number, name) VALUES (?, ?, ?)');
  const match = db.prepare('INSERT INTO matches (id, label) VALUES (?, ?)');
  const report = db.prepare('INSERT INTO match_reports (id, match_id, team_id, scout, auto_points, teleop_points, notes, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)');
  db.transaction(() => {
    const teams = Array.from({ length: 60 }, (_, i) => `team-${i}`);
    teams.forEach((id, i) => team.run(id, i + 1, `Team ${i}`));
    for (let m = 0; m * teams.length < rows; m += 1) match.run(`match-${m}`, `Q${m}`);
    for (let i = 0; i < rows; i += 1) report.run(`report-${i}`, `match-${Math.floor(i / teams.length)}`, teams[i % teams.length], 'scout', i % 20, i % 50, `note ${i}`, '2026-03-01T10:00:00Z');
  })();
  tracker.fold();
  const app = express().use('/api/sync', createSyncRouter({ token: TOKEN, database: db, tables: ['teams', 'matches', 'match_reports'], logger: silentLogger }));
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

/** µs per row of a snapshot join of the sample app's `match_reports`, at 1M rows ÷ at 100k (the work must grow with the rows, not faster). */
export async function runReportsScalingBenchmark(): Promise<void> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'ess-bench-reports-'));
  try {
    const perRow: Record<number, number> = {};
    for (const rows of [100_000, 1_000_000]) {
      const peer = await reportsPeer(dir, rows);
      try {
        const runs: number[] = [];
        for (let run = 0; run < RUNS; run += 1) {
          const file = path.join(dir, `joined-${rows}-${run}.db`);
          runs.push(await timeMs(() => joinFromPeer({ url: peer.url, token: TOKEN, db: file })));
          for (const side of ['', '-wal', '-shm']) rmSync(`${file}${side}`, { force: true });
        }
        perRow[rows] = (median(runs) * 1000) / rows;
      } finally {
        await peer.close();
      }
    }
    const ratio = (perRow[1_000_000] ?? 0) / (perRow[100_000] ?? 1);
    emit({ bench: 'snapshot', figure: 'match_reports_join_us_per_row_1m_over_100k', value: round(ratio), unit: 'ratio', target: '<= 1.2', met: ratio <= 1.2, detail: { us_per_row_100k: round(perRow[100_000] ?? 0), us_per_row_1m: round(perRow[1_000_000] ?? 0), runs: RUNS } });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
