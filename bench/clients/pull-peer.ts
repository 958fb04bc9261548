/**
 * A benchmark puller in its own process, so its memory is measured alone:
 * syncs a fresh database with the peer at `url` and prints one JSON line:
 * ms, rows pulled, baseline and peak RSS (MB), sampled every 5 ms, then the
 * median no-op round trip (handshake, empty pull, empty push) on the database it filled.
 * Usage: pull-peer <url> <token> <pageSize>
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { enableCapture } from '../../lib/data/capture';
import { silentLogger } from '../../lib/logger';
import { SyncClient } from '../../lib/peers/sync-client';
import { SYNC_BENCH_SCHEMA } from '../sync-rows';

const MB = 1024 * 1024;
const [url = '', token = '', pageSize = '2000'] = process.argv.slice(2);

async function main(): Promise<void> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'ess-bench-pull-'));
  const db = new Database(path.join(dir, 'pull.db'));
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.exec(SYNC_BENCH_SCHEMA);
  const client = new SyncClient({ logger: silentLogger, peers: [url], token, data: enableCapture(db, { tables: ['readings'] }), stateDir: dir, syncPageSize: Number(pageSize), joinBySnapshot: false });
  const baseline = process.memoryUsage().rss;
  let peak = baseline;
  const sampler = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, 5);
  const started = performance.now();
  const result = await client.syncPeer(url);
  const ms = performance.now() - started;
  clearInterval(sampler);
  peak = Math.max(peak, process.memoryUsage().rss);
  const noop: number[] = [];
  for (let i = 0; i < 21; i += 1) {
    const begun = performance.now();
    await client.syncPeer(url);
    noop.push(performance.now() - begun);
  }
  noop.sort((x, y) => x - y);
  await client.stop();
  db.close();
  rmSync(dir, { recursive: true, force: true });
  process.stdout.write(`${JSON.stringify({ ok: result.ok, error: result.error?.message, ms, rows: result.rowsPulled, baselineMb: baseline / MB, peakMb: peak / MB, noopMs: noop[10] })}\n`);
}

void main();
