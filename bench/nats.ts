import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createInterface, type Interface } from 'node:readline';
import Database from 'better-sqlite3';
import { enableCapture } from '../lib/data/capture';
import type { ChangeTracker } from '../lib/data/change-tracker';
import { resolveNatsOptions } from '../lib/peers/nats/nats-options';
import { NatsTransport } from '../lib/peers/nats/nats-transport';
import { SyncClient } from '../lib/peers/sync-client';
import { silentLogger } from '../lib/logger';
import { natsServerPath, startNatsServer, type NatsServer } from '../test/helpers/nats-server';
import { emit, median, round, timeMs } from './figure';
import { insertBenchRows, SYNC_BENCH_SCHEMA } from './sync-rows';

const ROWS = 100_000;
const RUNS = Number(process.env.BENCH_NATS_RUNS ?? 3);
const HTTP_TOKEN = 'bench-token-0123456789abcdef';
const LATENCY_SAMPLES = Number(process.env.BENCH_NATS_SAMPLES ?? 200);

const pause = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

function openDb(dir: string, name: string): Database.Database {
  const db = new Database(path.join(dir, name));
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.exec(SYNC_BENCH_SCHEMA);
  return db;
}

interface Source {
  readonly lines: Interface;
  readonly child: ChildProcessWithoutNullStreams;
  publish(stream: string): Promise<{ ms: number; rows: number }>;
  stop(): Promise<void>;
}

async function startSource(url: string): Promise<Source> {
  const child = spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', path.join(__dirname, 'clients', 'nats-source.ts'), String(ROWS), url]);
  child.stderr.pipe(process.stderr);
  const lines = createInterface({ input: child.stdout });
  const next = (): Promise<Record<string, unknown>> => new Promise((resolve) => lines.once('line', (line) => resolve(JSON.parse(line) as Record<string, unknown>)));
  await next();
  return {
    lines,
    child,
    publish: async (stream) => {
      const answer = next();
      child.stdin.write(`${stream}\n`);
      return (await answer) as { ms: number; rows: number };
    },
    stop: () =>
      new Promise((resolve) => {
        child.once('exit', () => resolve());
        child.stdin.end();
      }),
  };
}

/** One run: B consumes in the background while A (another process) publishes 100k rows; from A's start to B holding every row. */
async function oneTransfer(dir: string, source: Source, url: string, run: number): Promise<{ ms: number; publishMs: number; rows: number }> {
  const stream = `BENCH_${run}_${randomUUID().slice(0, 8)}`;
  const db = openDb(dir, `nats-dest-${run}.db`);
  const tracker = enableCapture(db, { tables: ['readings'] });
  const transport = new NatsTransport(resolveNatsOptions({ servers: url, stream }), { data: tracker, peerTimeoutMs: 60_000 });
  await transport.exchange(); // connected, stream created, consumer reading
  // max(rowid) is one B-tree descent (count(*) would scan the table on every poll, in B's own thread); rows arrive once each.
  const count = db.prepare('SELECT coalesce(max(rowid), 0) FROM readings').pluck();
  const started = performance.now();
  const published = source.publish(stream);
  while ((count.get() as number) < ROWS) await pause(2);
  const ms = performance.now() - started;
  const { ms: publishMs, rows } = await published;
  if ((db.prepare('SELECT count(*) FROM readings').pluck().get() as number) !== ROWS) throw new Error('rows missing or repeated on B');
  await transport.close();
  db.close();
  return { ms, publishMs, rows };
}

interface HttpSource {
  readonly url: string;
  stop(): Promise<void>;
}

/** The HTTP benchmark's source server (bench/clients/source-server.ts) with the same rows, for a same-run comparison. */
async function startHttpSource(): Promise<HttpSource> {
  const child = spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', path.join(__dirname, 'clients', 'source-server.ts'), String(ROWS), HTTP_TOKEN]);
  child.stderr.pipe(process.stderr);
  const url = await new Promise<string>((resolve) => createInterface({ input: child.stdout }).once('line', (line) => resolve((JSON.parse(line) as { url: string }).url)));
  return { url, stop: () => new Promise((resolve) => (child.once('exit', () => resolve()), child.stdin.end())) };
}

async function oneHttpPull(dir: string, url: string, run: number): Promise<number> {
  const db = openDb(dir, `http-dest-${run}.db`);
  const client = new SyncClient({ logger: silentLogger, peers: [url], token: HTTP_TOKEN, data: enableCapture(db, { tables: ['readings'] }), stateDir: dir });
  const ms = await timeMs(async () => {
    const result = await client.syncPeer(url);
    if (!result.ok || result.rowsPulled !== ROWS) throw new Error(`HTTP pull failed: ${result.error?.message ?? result.rowsPulled}`);
  });
  await client.stop();
  db.close();
  return ms;
}

async function rawInsertMs(dir: string, run: number): Promise<number> {
  const db = openDb(dir, `nats-raw-${run}.db`);
  const ms = await timeMs(() => insertBenchRows(db, ROWS));
  db.close();
  return ms;
}

/**
 * Rounds of: a raw insert, 100k rows A to B through NATS, the same rows over
 * HTTP (the sync benchmark's way). Each ratio is the median of per-round
 * ratios, measured back to back, because this machine's timings drift.
 */
async function benchTransfer(dir: string, server: NatsServer): Promise<void> {
  const source = await startSource(server.url);
  const http = await startHttpSource();
  const rounds: Array<{ raw: number; nats: number; publish: number; http: number }> = [];
  try {
    for (let run = 0; run < RUNS; run += 1) {
      const raw = await rawInsertMs(dir, run);
      const nats = await oneTransfer(dir, source, server.url, run);
      rounds.push({ raw, nats: nats.ms, publish: nats.publishMs, http: await oneHttpPull(dir, http.url, run) });
    }
  } finally {
    await source.stop();
    await http.stop();
  }
  const of = (pick: (round: (typeof rounds)[number]) => number): number => median(rounds.map(pick));
  const ratio = of((r) => r.nats / r.raw);
  emit({ bench: 'nats', figure: 'nats_100k_rows_a_to_b_ms', value: round(of((r) => r.nats)), unit: 'ms', detail: { rows: ROWS, runs: RUNS, publish_ms_median: round(of((r) => r.publish)) } });
  emit({
    bench: 'nats',
    figure: 'nats_100k_rows_over_raw_insert',
    value: round(ratio),
    unit: 'ratio',
    target: '<= 4',
    met: ratio <= 4,
    detail: { raw_insert_ms: round(of((r) => r.raw)), what: 'A (another process) publishes 100k folded rows in pages of <= 512 KiB while B applies them from the stream; raw = the same rows inserted into an untracked table' },
  });
  emit({
    bench: 'nats',
    figure: 'nats_100k_over_http_100k',
    value: round(of((r) => r.nats / r.http)),
    unit: 'ratio',
    detail: { http_ms: round(of((r) => r.http)), http_over_raw: round(of((r) => r.http / r.raw)), what: 'the same rows pulled over HTTP from a second process, measured in the same rounds' },
  });
}

function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
}

async function startedNode(dir: string, name: string, url: string, stream: string): Promise<{ db: Database.Database; tracker: ChangeTracker; transport: NatsTransport }> {
  const db = openDb(dir, name);
  const tracker = enableCapture(db, { tables: ['readings'] });
  const transport = new NatsTransport(resolveNatsOptions({ servers: url, stream }), { data: tracker, peerTimeoutMs: 30_000 });
  await transport.exchange();
  transport.start();
  return { db, tracker, transport };
}

/** Commits single rows on A at random moments; the time until each row is in B's table (B polled every millisecond). */
async function benchLatency(dir: string, server: NatsServer): Promise<void> {
  const stream = `LATENCY_${randomUUID().slice(0, 8)}`;
  const a = await startedNode(dir, 'latency-a.db', server.url, stream);
  const b = await startedNode(dir, 'latency-b.db', server.url, stream);
  const insert = a.db.prepare('INSERT INTO readings VALUES (?, ?, ?, ?, ?, ?, ?)');
  const visible = b.db.prepare('SELECT 1 FROM readings WHERE id = ?').pluck();
  const samples: number[] = [];
  try {
    for (let i = 0; i < LATENCY_SAMPLES; i += 1) {
      await pause(5 + Math.random() * 60);
      const id = randomUUID();
      insert.run(id, i, `L${i}`, 'latency', i, 0, 'latency probe');
      const committed = performance.now();
      while (visible.get(id) === undefined) await pause(1);
      samples.push(performance.now() - committed);
    }
  } finally {
    await a.transport.close();
    await b.transport.close();
    a.db.close();
    b.db.close();
  }
  const p50 = percentile(samples, 50);
  emit({
    bench: 'nats',
    figure: 'nats_commit_to_visible_p50_ms',
    value: round(p50),
    unit: 'ms',
    target: '<= 100',
    met: p50 <= 100,
    detail: { p90_ms: round(percentile(samples, 90)), p99_ms: round(percentile(samples, 99)), samples: samples.length, publish_interval_ms: 50, what: 'a one-row commit on A until the row is in B (both started, one nats-server on loopback)' },
  });
}

/** NATS JetStream transport: 100k rows A to B against a raw insert, and commit-to-visible latency (needs nats-server). */
export async function runNatsBenchmarks(): Promise<void> {
  if (natsServerPath() === undefined) {
    process.stderr.write('nats benchmarks skipped: no nats-server (apt-get install nats-server, or NATS_SERVER_PATH)\n');
    return;
  }
  const dir = mkdtempSync(path.join(os.tmpdir(), 'ess-bench-nats-'));
  const server = await startNatsServer();
  try {
    await benchTransfer(dir, server);
    await benchLatency(dir, server);
  } finally {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
