import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { promisify } from 'node:util';
import Database from 'better-sqlite3';
import express from 'express';
import { silentLogger } from '../../lib/logger';
import { createSyncNode } from '../../node/create-sync-node';
import { TEST_SCHEMA, tempDb, type TempDb } from './data';
import { makeRoots } from './file-roots';
import { startServer, TEST_TOKEN, type TestServer } from './server';

const run = promisify(execFile);
const CLI = path.resolve(__dirname, '..', '..', 'dist', 'bin', 'express-sqlite-sync.js');

/** The tables of TEST_SCHEMA that snapshot tests track. */
export const TABLES = ['teams', 'reports'];

/** Runs the built command-line tool as a user would; never rejects. */
export async function cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [CLI, ...args], { env: { ...process.env, SYNC_TOKEN: '' } });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

/** Inserts `count` teams with ids starting with `prefix`, in one transaction. */
export function addTeams(db: Database.Database, count: number, prefix: string): void {
  const insert = db.prepare('INSERT INTO teams (id, name, number) VALUES (?, ?, ?)');
  db.transaction(() => {
    for (let i = 0; i < count; i += 1) insert.run(`${prefix}-${randomUUID()}`, `${prefix} ${i}`, i);
  })();
}

/** A live peer: a tracked database behind a sync node on 127.0.0.1. */
export interface Peer {
  readonly data: TempDb;
  readonly server: TestServer;
  readonly syncUrl: string;
  readonly roots: Record<string, string>;
}

/** Starts a {@link Peer} with roots under `dir`. */
export async function startPeer(dir: string, options: { serveSnapshots?: boolean } = {}): Promise<Peer> {
  const data = tempDb(TEST_SCHEMA);
  const roots = makeRoots(path.join(dir, `roots-${randomUUID()}`));
  const node = createSyncNode({ token: TEST_TOKEN, logger: silentLogger, database: data.db, tables: TABLES, roots, ...options });
  const app = express().use('/api/sync', node.router);
  const server = await startServer(app);
  return { data, server, roots, syncUrl: `${server.url}/api/sync` };
}

/** The site id of a database file. */
export function siteOf(file: string): string {
  const db = new Database(file, { readonly: true });
  try {
    return db.prepare('SELECT site FROM _sync_sites WHERE id = 0').pluck().get() as string;
  } finally {
    db.close();
  }
}
