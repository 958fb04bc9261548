/**
 * A benchmark publisher in its own process: creates a database of `rows`
 * tracked rows, prints `{"ready": true}`, then for every line `<stream>` on
 * stdin publishes all of them to that stream through the NATS transport and
 * prints `{"stream", "ms", "rows"}`. Ends when stdin closes.
 * Usage: nats-source <rows> <nats url>
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import Database from 'better-sqlite3';
import { enableCapture } from '../../lib/data/capture';
import { resolveNatsOptions } from '../../lib/peers/nats/nats-options';
import { NatsTransport } from '../../lib/peers/nats/nats-transport';
import { insertBenchRows, SYNC_BENCH_SCHEMA } from '../sync-rows';

const [rowsText = '0', url = ''] = process.argv.slice(2);
const dir = mkdtempSync(path.join(os.tmpdir(), 'ess-bench-nats-source-'));
const db = new Database(path.join(dir, 'source.db'));
db.pragma('journal_mode = WAL');
db.pragma('synchronous = NORMAL');
db.exec(SYNC_BENCH_SCHEMA);
const tracker = enableCapture(db, { tables: ['readings'] });
insertBenchRows(db, Number(rowsText));
// Fold the capture log now, as the HTTP benchmark's source does: the figure is the transfer.
tracker.fold();
process.stdout.write(`${JSON.stringify({ ready: true })}\n`);

const lines = createInterface({ input: process.stdin });
let turn: Promise<void> = Promise.resolve();
lines.on('line', (stream) => {
  turn = turn.then(async () => {
    const transport = new NatsTransport(resolveNatsOptions({ servers: url, stream }), { data: tracker, peerTimeoutMs: 60_000 });
    const started = performance.now();
    const count = await transport.exchange();
    const ms = performance.now() - started;
    await transport.close();
    process.stdout.write(`${JSON.stringify({ stream, ms, rows: count.rowsOut })}\n`);
  });
});
lines.on('close', () => {
  void turn.then(() => {
    db.close();
    rmSync(dir, { recursive: true, force: true });
    process.exit(0);
  });
});
