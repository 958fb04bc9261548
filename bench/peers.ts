import { randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
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
import { emit, median, round, timeMs } from './figure';
import { installPeers, PEER_PACKAGES, type Peers } from './peers-install';

const ROWS = Number(process.env.BENCH_PEERS_ROWS ?? 100_000);
const RUNS = Number(process.env.BENCH_PEERS_RUNS ?? 3);
const TOKEN = 'bench-token-0123456789abcdef';
const SCHEMA = 'CREATE TABLE scouting (id TEXT PRIMARY KEY NOT NULL, team INTEGER, match INTEGER, score INTEGER, notes TEXT)';
type Row = [string, number, number, number, string];

const ROW_DATA: Row[] = Array.from({ length: ROWS }, (_, i) => [randomUUID(), 1 + (i % 9000), Math.floor(i / 60), i % 97, `scouting note number ${i}`]);

function openDb(dir: string, name: string): Database.Database {
  const db = new Database(path.join(dir, name));
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.exec(SCHEMA);
  return db;
}

/** The workload: every row in ONE transaction through one prepared statement. */
function insertRows(db: { prepare(sql: string): { run(...values: unknown[]): unknown }; exec(sql: string): void }): void {
  const insert = db.prepare('INSERT INTO scouting VALUES (?, ?, ?, ?, ?)');
  db.exec('BEGIN');
  for (const row of ROW_DATA) insert.run(...row);
  db.exec('COMMIT');
}

async function listen(app: http.RequestListener): Promise<{ url: string; close(): Promise<void> }> {
  const server = http.createServer(app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** One round of this project's figures: capture, HTTP sync page by page, snapshot join, backup. */
async function oursOnce(dir: string, into: Record<string, number[]>): Promise<void> {
  into.raw?.push(await timeMs(() => insertRows(openDb(dir, `raw-${randomUUID()}.db`))));
  const source = openDb(dir, `source-${randomUUID()}.db`);
  const tracker = enableCapture(source, { tables: ['scouting'] });
  into.capture?.push(await timeMs(() => insertRows(source)));
  tracker.fold();
  into.backup?.push(await timeMs(() => source.backup(path.join(dir, `backup-${randomUUID()}.db`))));
  const server = await listen(express().use('/api/sync', createSyncRouter({ token: TOKEN, database: source, tables: ['scouting'], logger: silentLogger, maxChangesPageSize: 10_000 })));
  try {
    const url = `${server.url}/api/sync`;
    for (const coding of ['identity', 'gzip'] as const) {
      const target = openDb(dir, `target-${randomUUID()}.db`);
      const client = new SyncClient({ logger: silentLogger, peers: [url], token: TOKEN, data: enableCapture(target, { tables: ['scouting'] }), joinBySnapshot: false, peerCompression: coding });
      into[`http_${coding}`]?.push(await timeMs(() => client.syncPeer(url)));
      into[`bytes_${coding}`]?.push(client.wireBytes().get(url)?.received ?? 0);
      await client.stop();
      target.close();
    }
    into.join?.push(await timeMs(() => joinFromPeer({ url, token: TOKEN, db: path.join(dir, `joined-${randomUUID()}.db`) })));
  } finally {
    await server.close();
    source.close();
  }
}

/** The SQLite session extension: record the inserts, take the changeset, apply it to an empty database (no clocks, no merge). */
function sessionOnce(peers: Peers, dir: string, into: Record<string, number[]>): void {
  const { DatabaseSync } = peers.sqlite;
  const open = (name: string): InstanceType<typeof DatabaseSync> => {
    const db = new DatabaseSync(path.join(dir, name));
    db.exec('PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL');
    db.exec(SCHEMA);
    return db;
  };
  const a = open(`session-a-${randomUUID()}.db`);
  const b = open(`session-b-${randomUUID()}.db`);
  let bytes = 0;
  into.session?.push(
    Number(
      (() => {
        const start = performance.now();
        const session = a.createSession();
        insertRows(a);
        const changeset = session.changeset();
        bytes = changeset.length;
        session.close();
        b.applyChangeset(changeset);
        return performance.now() - start;
      })(),
    ),
  );
  into.bytes_session?.push(bytes);
  a.close();
  b.close();
}

/** PouchDB replication over HTTP: B replicates all of A's documents, with a given batch size. */
async function pouchOnce(peers: Peers, dir: string, batch: number): Promise<{ ms: number; written: number }> {
  const base = path.join(dir, `pouch-${randomUUID()}`);
  mkdirSync(base);
  const PouchDB = peers.PouchDB.defaults({ prefix: `${base}/` });
  const app = peers.express();
  app.use('/', peers.expressPouchDb(PouchDB, { mode: 'minimumForPouchDB', inMemoryConfig: true, logPath: path.join(base, 'log.txt') }));
  const server = await listen(app as unknown as http.RequestListener);
  const source = new PouchDB('a');
  for (let from = 0; from < ROWS; from += 5000) {
    await source.bulkDocs(ROW_DATA.slice(from, from + 5000).map(([id, team, match, score, notes]) => ({ _id: id, team, match, score, notes })));
  }
  const target = new PouchDB('b');
  let written = 0;
  const ms = await timeMs(async () => {
    written = (await target.replicate.from(`${server.url}/a`, { batch_size: batch })).docs_written;
  });
  await Promise.all([source.close(), target.close()]);
  await server.close();
  return { ms, written };
}

function ratio(name: string, runs: readonly number[], raw: number, detail: Record<string, number | string> = {}): void {
  emit({ bench: 'peers', figure: `${name}_over_raw_insert`, value: round(median(runs) / raw), unit: 'ratio', detail: { ms: round(median(runs)), raw_insert_ms: round(raw), rows: ROWS, runs: runs.length, ...detail } });
}

/** `npm run bench -- peers`: this project next to the SQLite session extension and PouchDB, same rows, same run (issue 12, item 7). */
export async function runPeerBenchmarks(): Promise<void> {
  const peers = await installPeers();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'ess-bench-peers-run-'));
  try {
    const runs: Record<string, number[]> = Object.fromEntries(
      ['raw', 'capture', 'backup', 'http_identity', 'http_gzip', 'bytes_identity', 'bytes_gzip', 'join', 'session', 'bytes_session'].map((key) => [key, []]),
    );
    for (let run = 0; run < RUNS; run += 1) {
      await oursOnce(dir, runs);
      sessionOnce(peers, dir, runs);
    }
    const raw = median(runs.raw ?? []);
    ratio('session_extension_record_changeset_apply', runs.session ?? [], raw, { changeset_bytes: median(runs.bytes_session ?? []), package: PEER_PACKAGES[0] });
    ratio('ours_capture_insert', runs.capture ?? [], raw);
    ratio('ours_http_sync_identity', runs.http_identity ?? [], raw, { bytes: median(runs.bytes_identity ?? []), what: 'B pulls every row from A over HTTP, page by page, uncompressed' });
    ratio('ours_http_sync_gzip', runs.http_gzip ?? [], raw, { bytes: median(runs.bytes_gzip ?? []), what: 'the same, gzip pages (the default)' });
    ratio('ours_snapshot_join', runs.join ?? [], raw, { what: 'express-sqlite-sync join over HTTP (snapshot, hash, integrity_check, new site id, pull after)' });
    ratio('backup_api', runs.backup ?? [], raw, { what: 'db.backup() of the whole tracked file' });
    for (const batch of [1000, 100]) {
      const pouch = await pouchOnce(peers, dir, batch);
      ratio(`pouchdb_http_replication_batch_${batch}`, [pouch.ms], raw, { docs_written: pouch.written, package: `${PEER_PACKAGES[1]} + ${PEER_PACKAGES[2]}`, runs_note: 'one run: it is slow' });
    }
    emit({ bench: 'peers', figure: 'crsqlite_merge_over_raw_insert', value: -1, unit: 'ratio', detail: { skipped: 'cr-sqlite 0.16.3 installs only by a source build with relaxed Debian Rust crates (see shared/PEERS.md); not built here. Measured on this machine kind earlier: insert 10–15×, merge 22–35×' } });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
