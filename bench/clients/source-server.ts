/**
 * A benchmark peer in its own process: creates a database of `rows` tracked
 * rows, serves its sync router on 127.0.0.1, prints `{"url": …}` and runs
 * until its stdin closes, then prints `{"peakMb": …}` (its peak RSS). Usage: source-server <rows> <token>
 * With READ_AHEAD=0 it serves the data routes alone, without reading the
 * next page ahead (to measure what reading ahead brings). With WRITE_ROWS=n,
 * it keeps writing: n more rows, one every WRITE_EVERY_MS (10) ms, once it
 * listens (writes made while a peer joins).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import express from 'express';
import { enableCapture } from '../../lib/data/capture';
import { silentLogger } from '../../lib/logger';
import { createSyncNode } from '../../node/create-sync-node';
import { createDataRouter } from '../../routes/data';
import { benchRow, insertBenchRows, SYNC_BENCH_SCHEMA } from '../sync-rows';

const [rowsText = '0', token = ''] = process.argv.slice(2);
const dir = mkdtempSync(path.join(os.tmpdir(), 'ess-bench-source-'));
const db = new Database(path.join(dir, 'source.db'));
db.pragma('journal_mode = WAL');
db.pragma('synchronous = NORMAL');
db.exec(SYNC_BENCH_SCHEMA);
const app = express();
if (process.env.READ_AHEAD === '0') {
  const tracker = enableCapture(db, { tables: ['readings'] });
  app.use('/api/sync/data', createDataRouter({ tracker, maxChangesetBytes: 64 * 1024 * 1024, changesPageSize: 500, maxChangesPageSize: 10_000, snapshots: undefined, readAhead: false }));
  insertBenchRows(db, Number(rowsText));
  tracker.fold();
} else {
  const node = createSyncNode({ token, database: db, tables: ['readings'], logger: silentLogger, maxChangesPageSize: 10_000 });
  app.use('/api/sync', node.router);
  insertBenchRows(db, Number(rowsText));
  // Fold the capture log now, as a server does whenever a peer reads: the figure is the transfer.
  node.tracker?.fold();
}
/** Writes WRITE_ROWS more rows, one at a time, after the first `rows`. */
function keepWriting(rows: number): void {
  const more = Number(process.env.WRITE_ROWS ?? 0);
  const insert = db.prepare('INSERT INTO readings VALUES (?, ?, ?, ?, ?, ?, ?)');
  let written = 0;
  const timer = setInterval(() => {
    if (written >= more) {
      clearInterval(timer);
      return;
    }
    insert.run(...benchRow(rows + written));
    written += 1;
  }, Number(process.env.WRITE_EVERY_MS ?? 10));
}

const server = http.createServer(app);
server.listen(0, '127.0.0.1', () => {
  keepWriting(Number(rowsText));
  process.stdout.write(`${JSON.stringify({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/sync` })}\n`);
});
process.stdin.resume();
process.stdin.on('end', () => {
  // The peak RSS of this process (creating the rows and serving them), for the benchmark's "each server" figure.
  process.stdout.write(`${JSON.stringify({ peakMb: process.resourceUsage().maxRSS / 1024 })}\n`);
  server.close();
  server.closeAllConnections();
  db.close();
  rmSync(dir, { recursive: true, force: true });
  process.exit(0);
});
