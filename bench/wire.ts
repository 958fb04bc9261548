import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { ContentCoding } from '../lib/content-coding';
import { startDemoCluster, type DemoServer } from '../sample-app/demo/cluster';
import { emit, median, round } from './figure';
import { relayChainLive } from './relay-live';
import { writeReports } from './sample-rows';
import { pullOnce, rawInsertMs, startHelper, startSource, TOKEN, type Helper } from './harness';

const ROWS = Number(process.env.BENCH_WIRE_ROWS ?? 100_000);
const RUNS = Number(process.env.BENCH_WIRE_RUNS ?? 3);
/** 20 Mbit/s, a decent venue Wi-Fi. */
const SLOW_LINK_BYTES_PER_S = 2_500_000;
const CODINGS: readonly ContentCoding[] = ['identity', 'gzip', 'br'];

interface Runs {
  ms: number[];
  received: number[];
}

function through(proxy: Helper<{ port: number }>, url: string): string {
  const parsed = new URL(url);
  parsed.port = String(proxy.info.port);
  return parsed.href.replace(/\/$/, '');
}

/** Pulls `ROWS` rows `RUNS` times per variant, the variants interleaved in each round so a drift of the machine hits them alike. */
async function measure(dir: string, variants: ReadonlyArray<readonly [string, string, ContentCoding]>): Promise<Map<string, Runs>> {
  const runs = new Map(variants.map(([name]) => [name, { ms: [], received: [] } as Runs]));
  for (let run = 0; run < RUNS; run += 1) {
    for (const [name, url, coding] of variants) {
      const pulled = await pullOnce(dir, url, { peerCompression: coding });
      if (pulled.rows !== ROWS) throw new Error(`${name}: pulled ${pulled.rows} rows, expected ${ROWS}`);
      runs.get(name)?.ms.push(pulled.ms);
      runs.get(name)?.received.push(pulled.received);
    }
  }
  return runs;
}

/** gzip, brotli and none for the changes pages, on loopback and through a 20 Mbit/s link; with and without the sender reading ahead. */
async function compressionAndPipelining(dir: string): Promise<void> {
  const rawMs = await rawInsertMs(dir, ROWS, 3);
  const [source, plainSource] = [await startSource(ROWS), await startSource(ROWS, { READ_AHEAD: '0' })];
  const proxy = await startHelper<{ port: number }>('throttle-proxy.ts', [new URL(source.info.url).host, String(SLOW_LINK_BYTES_PER_S)]);
  try {
    const variants: [string, string, ContentCoding][] = [];
    for (const coding of CODINGS) variants.push([`loopback_${coding}`, source.info.url, coding], [`loopback_no_read_ahead_${coding}`, plainSource.info.url, coding]);
    const loopback = await measure(dir, variants);
    const slow = await measure(dir, CODINGS.map((coding) => [`20mbit_${coding}`, through(proxy, source.info.url), coding] as const));
    const all = new Map([...loopback, ...slow]);
    const json = median(all.get('loopback_identity')?.received ?? [0]);
    for (const [name, runs] of all) {
      const ms = median(runs.ms);
      const bytes = median(runs.received);
      emit({ bench: 'wire', figure: `pull_100k_${name}_ms`, value: round(ms), unit: 'ms', detail: { over_raw_insert: round(ms / rawMs), raw_insert_ms: round(rawMs), bytes_received: bytes, runs: RUNS, rows: ROWS } });
    }
    for (const coding of ['gzip', 'br'] as const) {
      const bytes = median(all.get(`loopback_${coding}`)?.received ?? [0]);
      emit({ bench: 'wire', figure: `bytes_100k_${coding}_over_json`, value: round(bytes / json), unit: 'ratio', target: '<= 0.5', met: bytes / json <= 0.5, detail: { bytes, json_bytes: json } });
    }
    for (const coding of CODINGS) {
      const ahead = median(all.get(`loopback_${coding}`)?.ms ?? [0]);
      const without = median(all.get(`loopback_no_read_ahead_${coding}`)?.ms ?? [0]);
      emit({ bench: 'wire', figure: `read_ahead_speedup_${coding}`, value: round(without / ahead), unit: 'ratio', detail: { with_read_ahead_ms: round(ahead), without_ms: round(without), note: 'time without ÷ time with: above 1 means reading ahead pays' } });
    }
  } finally {
    await Promise.all([proxy.stop(), source.stop(), plainSource.stop()]);
  }
}

/** Directed link totals: rows and body bytes from `from` to `to`, both clients' views added. */
function linkTotals(servers: readonly DemoServer[], from: number, to: number, rows: ReadonlyMap<string, number>): { rows: number; bytes: number } {
  const a = servers[from] as DemoServer;
  const b = servers[to] as DemoServer;
  const sent = a.sync.client?.wireBytes().get(b.syncUrl)?.sent ?? 0;
  const received = b.sync.client?.wireBytes().get(a.syncUrl)?.received ?? 0;
  return { rows: rows.get(`${from}>${to}`) ?? 0, bytes: sent + received };
}

/** A chain A – B – C of sample apps: rows written at both ends must cross each link once, never come back. */
async function relayChain(dir: string): Promise<void> {
  const cluster = await startDemoCluster(['A', 'B', 'C'], dir, TOKEN, (index, count) => [index - 1, index + 1].filter((other) => other >= 0 && other < count));
  try {
    const [a, b, c] = cluster.servers as [DemoServer, DemoServer, DemoServer];
    writeReports(a.db, 5000, 'ann');
    writeReports(c.db, 1000, 'cid');
    const rows = new Map<string, number>();
    const index = new Map(cluster.servers.map((server, i) => [server.syncUrl, i]));
    for (let pass = 0; pass < 3; pass += 1) {
      for (const [i, server] of cluster.servers.entries()) {
        for (const result of await server.sync.syncNow()) {
          const peer = index.get(result.peer) ?? -1;
          rows.set(`${peer}>${i}`, (rows.get(`${peer}>${i}`) ?? 0) + result.rowsPulled);
          rows.set(`${i}>${peer}`, (rows.get(`${i}>${peer}`) ?? 0) + result.rowsPushed);
        }
      }
    }
    const written = { a: 5000 + 40 + 125, c: 1000 + 40 + 25 };
    const links = { a_to_b: linkTotals(cluster.servers, 0, 1, rows), b_to_c: linkTotals(cluster.servers, 1, 2, rows), c_to_b: linkTotals(cluster.servers, 2, 1, rows), b_to_a: linkTotals(cluster.servers, 1, 0, rows) };
    const once = links.a_to_b.rows === written.a && links.b_to_c.rows === written.a && links.c_to_b.rows === written.c && links.b_to_a.rows === written.c;
    const counts = [a, b, c].map((server) => server.db.prepare('SELECT count(*) FROM match_reports').pluck().get() as number);
    emit({
      bench: 'wire',
      figure: 'relay_chain_rows_per_link',
      value: once ? 1 : 0,
      unit: 'bool',
      target: 'each change once per link',
      met: once && counts.every((count) => count === 6000),
      detail: {
        written_at_a: written.a,
        written_at_c: written.c,
        ...Object.fromEntries(Object.entries(links).flatMap(([link, total]) => [[`${link}_rows`, total.rows], [`${link}_bytes`, total.bytes]])),
        reports_on_a_b_c: counts.join('/'),
        passes: 3,
      },
    });
  } finally {
    await cluster.close();
  }
}

/** The wire: compression, pipelining and echoes (issue 12, items 2, 3 and 6). */
export async function runWireBenchmarks(): Promise<void> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'ess-bench-wire-'));
  try {
    await relayChain(dir);
    await relayChainLive(dir);
    await compressionAndPipelining(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
