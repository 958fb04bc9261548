import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** The peer systems measured, pinned (see /work/shared/PEERS.md: what installs on these machines). */
export const PEER_PACKAGES = ['@photostructure/sqlite@2.6.0', 'pouchdb-node@9.0.0', 'express-pouchdb@4.2.0', 'express@4'] as const;

/** The SQLite session extension's surface the benchmark uses (`@photostructure/sqlite`, node:sqlite's API). */
export interface SessionSqlite {
  DatabaseSync: new (file: string) => {
    exec(sql: string): void;
    prepare(sql: string): { run(...values: unknown[]): unknown };
    createSession(): { changeset(): Uint8Array; close(): void };
    applyChangeset(changeset: Uint8Array): boolean;
    close(): void;
  };
}

/** A PouchDB database, as far as the benchmark uses one. */
export interface PouchDatabase {
  bulkDocs(docs: readonly object[]): Promise<unknown>;
  info(): Promise<{ doc_count: number }>;
  replicate: { from(source: string, options: { batch_size: number }): Promise<{ docs_written: number }> };
  close(): Promise<void>;
}

/** The PouchDB constructor with its `defaults`. */
export interface PouchStatic {
  new (name: string): PouchDatabase;
  defaults(options: { prefix: string }): PouchStatic;
}

/** What the peers benchmark loads from the temp folder. */
export interface Peers {
  readonly sqlite: SessionSqlite;
  readonly PouchDB: PouchStatic;
  readonly expressPouchDb: (PouchDB: PouchStatic, options: { mode: string; inMemoryConfig: boolean; logPath: string }) => (req: unknown, res: unknown) => void;
  readonly express: () => { use(path: string, handler: unknown): void; listen(port: number, host: string, done: () => void): { close(done?: () => void): void; closeAllConnections(): void; address(): unknown } };
}

/**
 * Installs the peer systems on demand into a temp folder (never into this
 * package's dependencies) and loads them from there. The folder is reused
 * by later runs on the same machine.
 */
export async function installPeers(): Promise<Peers> {
  const dir = path.join(os.tmpdir(), 'ess-bench-peers');
  const load = createRequire(path.join(dir, 'package.json'));
  if (!existsSync(path.join(dir, 'node_modules', 'pouchdb-node'))) {
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: 'ess-bench-peers', private: true, allowScripts: { leveldown: true } }));
    process.stderr.write(`installing ${PEER_PACKAGES.join(' ')} into ${dir} …\n`);
    await run('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error', ...PEER_PACKAGES], { cwd: dir, maxBuffer: 16 * 1024 * 1024 });
  }
  return {
    sqlite: load('@photostructure/sqlite') as SessionSqlite,
    PouchDB: load('pouchdb-node') as PouchStatic,
    expressPouchDb: load('express-pouchdb') as Peers['expressPouchDb'],
    express: load('express') as Peers['express'],
  };
}
