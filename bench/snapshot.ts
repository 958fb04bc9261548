import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { enableCapture } from '../lib/data/capture';
import { silentLogger } from '../lib/logger';
import { SyncClient } from '../lib/peers/sync-client';
import { joinFromPeer } from '../lib/peers/snapshot-join';
import { emit, median, round, timeMs } from './figure';
import { runReportsScalingBenchmark } from './reports';
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
