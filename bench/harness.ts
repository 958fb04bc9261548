import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import path from 'node:path';
import { createInterface } from 'node:readline';
import Database from 'better-sqlite3';
import { enableCapture } from '../lib/data/capture';
import { silentLogger } from '../lib/logger';
import { SyncClient, type SyncClientOptions } from '../lib/peers/sync-client';
import { median, timeMs } from './figure';
import { insertBenchRows, SYNC_BENCH_SCHEMA } from './sync-rows';

/** The token every benchmark peer accepts. */
export const TOKEN = 'bench-token-0123456789abcdef';

/** A helper process that printed one JSON line and runs until its stdin closes. */
export interface Helper<T> {
  readonly info: T;
  stop(): Promise<void>;
}

/** Starts `bench/clients/<script>` in its own process and waits for its first JSON line. */
export async function startHelper<T>(script: string, args: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<Helper<T>> {
  const child: ChildProcessWithoutNullStreams = spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', path.join(__dirname, 'clients', script), ...args], {
    env: { ...process.env, ...env },
  });
  child.stderr.pipe(process.stderr);
  const lines = createInterface({ input: child.stdout });
  const info = await new Promise<T>((resolve, reject) => {
    lines.once('line', (line) => resolve(JSON.parse(line) as T));
    child.once('exit', (code) => reject(new Error(`${script} exited with ${code}`)));
  });
  return {
    info,
    stop: () =>
      new Promise((resolve) => {
        child.once('exit', () => resolve());
        child.stdin.end();
      }),
  };
}

/** A peer with `rows` tracked bench rows, in its own process. */
export async function startSource(rows: number, env: NodeJS.ProcessEnv = {}): Promise<Helper<{ url: string }>> {
  return startHelper<{ url: string }>('source-server.ts', [String(rows), TOKEN], env);
}

/** Opens a fresh database with the bench table, as a new server would. */
export function openDestination(dir: string, name: string): Database.Database {
  const db = new Database(path.join(dir, name));
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.exec(SYNC_BENCH_SCHEMA);
  return db;
}

/** Median of a raw insert of the rows into an untracked table, measured `times` times. */
export async function rawInsertMs(dir: string, rows: number, times: number): Promise<number> {
  const runs: number[] = [];
  for (let i = 0; i < times; i += 1) {
    const db = openDestination(dir, `raw-${rows}-${i}-${Date.now()}.db`);
    runs.push(await timeMs(() => insertBenchRows(db, rows)));
    db.close();
  }
  return median(runs);
}

/** One sync of a fresh database with the peer at `url`: ms, rows pulled, body bytes received and sent. */
export async function pullOnce(dir: string, url: string, options: Partial<SyncClientOptions> = {}): Promise<{ ms: number; rows: number; received: number; sent: number }> {
  const db = openDestination(dir, `dest-${Date.now()}-${Math.random().toString(16).slice(2)}.db`);
  const client = new SyncClient({ logger: silentLogger, peers: [url], token: TOKEN, data: enableCapture(db, { tables: ['readings'] }), syncPageSize: 2000, joinBySnapshot: false, ...options });
  try {
    let rows = 0;
    const ms = await timeMs(async () => {
      const result = await client.syncPeer(url);
      if (!result.ok) throw new Error(`sync failed: ${result.error?.message ?? ''}`);
      rows = result.rowsPulled;
    });
    const bytes = client.wireBytes().get(url) ?? { received: 0, sent: 0 };
    return { ms, rows, ...bytes };
  } finally {
    await client.stop();
    db.close();
  }
}
