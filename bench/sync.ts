import { execFile, spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import Database from 'better-sqlite3';
import { enableCapture } from '../lib/data/capture';
import { silentLogger } from '../lib/logger';
import { SyncClient } from '../lib/peers/sync-client';
import { emit, median, round, timeMs } from './figure';
import { insertBenchRows, SYNC_BENCH_SCHEMA } from './sync-rows';

const run = promisify(execFile);
const TOKEN = 'bench-token-0123456789abcdef';
const MB = 1024 * 1024;
const PAGE_SIZE = Number(process.env.BENCH_SYNC_PAGE ?? 2000);

interface Source {
  readonly url: string;
  /** Stops the peer's process; resolves with its peak RSS in MB. */
  stop(): Promise<number>;
}

/** Starts a peer with `rows` tracked rows in its own process (under ts-node, or the compiled `script`). */
async function startSource(rows: number, script?: string): Promise<Source> {
  const args = script === undefined ? ['-r', 'ts-node/register/transpile-only', path.join(__dirname, 'clients', 'source-server.ts')] : [script];
  const child: ChildProcessWithoutNullStreams = spawn(process.execPath, [...args, String(rows), TOKEN]);
  child.stderr.pipe(process.stderr);
  const lines = createInterface({ input: child.stdout });
  const url = await new Promise<string>((resolve, reject) => {
    lines.once('line', (line) => resolve((JSON.parse(line) as { url: string }).url));
    child.once('exit', (code) => reject(new Error(`source server exited with ${code}`)));
  });
  return {
    url,
    stop: () =>
      new Promise((resolve) => {
        let peakMb = Number.NaN;
        lines.on('line', (line) => {
          const parsed = JSON.parse(line) as { peakMb?: number };
          if (typeof parsed.peakMb === 'number') peakMb = parsed.peakMb;
        });
        child.once('exit', () => resolve(peakMb));
        child.stdin.end();
      }),
  };
}

function openDestination(dir: string, name: string): Database.Database {
  const db = new Database(path.join(dir, name));
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.exec(SYNC_BENCH_SCHEMA);
  return db;
}

function clientFor(db: Database.Database, url: string, stateDir: string): SyncClient {
  const tracker = enableCapture(db, { tables: ['readings'] });
  return new SyncClient({ logger: silentLogger, peers: [url], token: TOKEN, data: tracker, stateDir, syncPageSize: PAGE_SIZE, joinBySnapshot: false });
}

/** Median of a raw insert of the rows into an untracked table, measured `times` times. */
async function rawInsertMs(dir: string, rows: number, times: number): Promise<number> {
  const runs: number[] = [];
  for (let i = 0; i < times; i += 1) {
    const file = `raw-${rows}-${i}.db`;
    const db = openDestination(dir, file);
    runs.push(await timeMs(() => insertBenchRows(db, rows)));
    db.close();
    for (const side of ['', '-wal', '-shm']) rmSync(path.join(dir, `${file}${side}`), { force: true });
  }
  return median(runs);
}

/** Median time to pull `rows` rows from the source into fresh databases, `times` times. */
async function pullIntoFreshMs(dir: string, source: Source, times: number): Promise<{ ms: number; rows: number }> {
  const runs: number[] = [];
  let rows = 0;
  for (let i = 0; i < times; i += 1) {
    const db = openDestination(dir, `dest-${i}.db`);
    const client = clientFor(db, source.url, dir);
    runs.push(
      await timeMs(async () => {
        const result = await client.syncPeer(source.url);
        if (!result.ok) throw new Error(`sync failed: ${result.error?.message ?? ''}`);
        rows = result.rowsPulled;
      }),
    );
    await client.stop();
    db.close();
  }
  return { ms: median(runs), rows };
}

async function bench100k(dir: string): Promise<void> {
  const rows = 100_000;
  const rawMs = await rawInsertMs(dir, rows, 3);
  const source = await startSource(rows);
  try {
    const synced = await pullIntoFreshMs(dir, source, 3);
    emit({ bench: 'sync', figure: 'http_100k_rows_a_to_b_ms', value: round(synced.ms), unit: 'ms', detail: { rows_pulled: synced.rows, page_size: PAGE_SIZE, runs: 3 } });
    emit({
      bench: 'sync',
      figure: 'http_100k_rows_over_raw_insert',
      value: round(synced.ms / rawMs),
      unit: 'ratio',
      target: '<= 3',
      met: synced.ms / rawMs <= 3,
      detail: { raw_insert_ms: round(rawMs), what: 'handshake, pull, push back (nothing), in a second process; raw = the same rows inserted into an untracked table' },
    });
    const db = openDestination(dir, 'noop.db');
    const client = clientFor(db, source.url, dir);
    await client.syncPeer(source.url);
    const noop: number[] = [];
    for (let i = 0; i < 21; i += 1) noop.push(await timeMs(() => client.syncPeer(source.url)));
    const noopMs = median(noop);
    emit({ bench: 'sync', figure: 'noop_sync_round_trip_ms', value: round(noopMs), unit: 'ms', target: '<= 20', met: noopMs <= 20, detail: { runs: noop.length, what: 'handshake, empty pull, empty push (data only)' } });
    await client.stop();
    db.close();
  } finally {
    await source.stop();
  }
}

interface Pulled {
  ok: boolean;
  error?: string;
  ms: number;
  rows: number;
  baselineMb: number;
  peakMb: number;
  noopMs: number;
}

const ROOT = path.resolve(__dirname, '..');

/**
 * Compiles `bench/clients/pull-peer.ts` and `source-server.ts` and what they
 * import to plain JavaScript in `.bench-tmp/js` (git-ignored), as a deployed
 * server runs compiled code: under ts-node the TypeScript compiler alone holds
 * ~130 MB of a process's RSS. Returns the directory of the compiled clients.
 */
async function compiledClients(): Promise<string> {
  const out = path.join(ROOT, '.bench-tmp', 'js');
  const tsc = path.join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
  const options = ['--outDir', out, '--rootDir', ROOT, '--module', 'commonjs', '--target', 'es2022', '--esModuleInterop', '--skipLibCheck', '--resolveJsonModule', '--types', 'node', '--moduleResolution', 'node', '--noCheck'];
  const clients = ['pull-peer.ts', 'source-server.ts'].map((name) => path.join(ROOT, 'bench', 'clients', name));
  await run(process.execPath, [tsc, ...clients, ...options], { cwd: ROOT, maxBuffer: MB });
  return path.join(out, 'bench', 'clients');
}

/** One pull of every row of `source` by a fresh process running the compiled puller. */
async function pullInFreshProcess(source: Source, puller: string): Promise<Pulled> {
  const { stdout } = await run(process.execPath, [puller, source.url, TOKEN, String(PAGE_SIZE)], { maxBuffer: MB });
  const pulled = JSON.parse(stdout) as Pulled;
  if (!pulled.ok) throw new Error(`1M-row sync failed: ${pulled.error ?? ''}`);
  return pulled;
}

/**
 * Syncs `rows` rows into a fresh process `BENCH_SYNC_BIG_RUNS` (3) times: the
 * median time over a raw insert of the same rows (median of as many), and
 * the peak RSS of the puller and of the source.
 */
async function bench1m(dir: string): Promise<void> {
  const rows = Number(process.env.BENCH_SYNC_BIG_ROWS ?? 1_000_000);
  const runs = Number(process.env.BENCH_SYNC_BIG_RUNS ?? 3);
  const rawMs = await rawInsertMs(dir, rows, runs);
  const compiled = await compiledClients();
  const puller = path.join(compiled, 'pull-peer.js');
  const source = await startSource(rows, path.join(compiled, 'source-server.js'));
  let sourcePeakMb: number;
  try {
    const all: Pulled[] = [];
    for (let i = 0; i < runs; i += 1) all.push(await pullInFreshProcess(source, puller));
    const ms = median(all.map((one) => one.ms));
    const pulled = all.reduce((worst, one) => (one.peakMb > worst.peakMb ? one : worst));
    emit({ bench: 'sync', figure: 'http_1m_rows_over_raw_insert', value: round(ms / rawMs), unit: 'ratio', target: '<= 3', met: ms / rawMs <= 3, detail: { sync_ms: round(ms), raw_insert_ms: round(rawMs), rows: pulled.rows, runs, page_size: PAGE_SIZE } });
    emit({
      bench: 'sync',
      figure: 'peak_rss_syncing_1m_rows_mb',
      value: round(pulled.peakMb),
      unit: 'MB',
      target: '<= 256',
      met: pulled.peakMb <= 256,
      detail: { rows: pulled.rows, baseline_rss_mb: round(pulled.baselineMb), sync_ms: round(pulled.ms), page_size: PAGE_SIZE, process: 'a fresh process that only pulls, compiled JavaScript (the highest of the runs)' },
    });
    emit({ bench: 'sync', figure: 'noop_sync_round_trip_1m_rows_ms', value: round(pulled.noopMs), unit: 'ms', target: '<= 20', met: pulled.noopMs <= 20, detail: { rows: pulled.rows, runs: 21, what: 'handshake, empty pull, empty push on the 1M-row database just synced' } });
  } finally {
    sourcePeakMb = await source.stop();
  }
  emit({ bench: 'sync', figure: 'peak_rss_serving_1m_rows_mb', value: round(sourcePeakMb), unit: 'MB', target: '<= 256', met: sourcePeakMb <= 256, detail: { rows, process: 'the source, compiled JavaScript: creates the rows, then serves every pull' } });
}

/** End-to-end sync over HTTP between two processes (issue: servers that keep each other in sync). */
export async function runSyncBenchmarks(): Promise<void> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'ess-bench-sync-'));
  try {
    await bench100k(dir);
    await bench1m(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
