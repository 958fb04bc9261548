import { spawn, type ChildProcess } from 'node:child_process';
import { chownSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { makeRoots } from './file-roots';
import { AS_ROOT, NOBODY } from './h4-unprivileged-app';
import { TEST_TOKEN } from './server';

const REPO = path.resolve(__dirname, '..', '..');
const DIST = path.join(REPO, 'dist', 'index.js');

/** The table both sides sync in these tests. */
export const TEAMS_SCHEMA = 'CREATE TABLE IF NOT EXISTS teams (id TEXT PRIMARY KEY NOT NULL, name TEXT NOT NULL)';

/**
 * A sync server of the built package (`dist/`) with data and files: `teams`
 * captured in the database at argv[2], the roots of argv[1] (JSON); it writes
 * one team, 'from the peer', then prints "ready <port>". With a NATS stream
 * (argv[3], JSON `{ servers, stream, stateDir }`) it is a sync node that reads
 * and writes that stream in the background.
 */
const DATA_PEER_CHILD = `
const express = require('express');
const Database = require('better-sqlite3');
const { createSyncNode, createSyncRouter, silentLogger } = require(${JSON.stringify(DIST)});
const db = new Database(process.argv[2]);
db.pragma('journal_mode = WAL');
db.exec(${JSON.stringify(TEAMS_SCHEMA)});
const nats = process.argv[3] === undefined ? undefined : JSON.parse(process.argv[3]);
const options = { token: ${JSON.stringify(TEST_TOKEN)}, roots: JSON.parse(process.argv[1]), database: db, tables: ['teams'], logger: silentLogger };
const node = nats === undefined ? undefined : createSyncNode({ ...options, stateDir: nats.stateDir, transport: { nats: { servers: nats.servers, stream: nats.stream } } });
const router = node === undefined ? createSyncRouter(options) : node.router;
db.prepare("INSERT INTO teams (id, name) VALUES ('peer-1', 'from the peer')").run();
const app = express();
app.use('/api/sync', router);
const server = app.listen(0, '127.0.0.1', () => {
  if (node !== undefined) node.start(3600000);
  process.stdout.write('ready ' + server.address().port + '\\n');
});
`;

/** The NATS stream a peer of {@link startUnprivilegedDataPeer} reads and writes. */
export interface PeerStream {
  readonly servers: string;
  readonly stream: string;
}

/** A running peer from {@link startUnprivilegedDataPeer}. */
export interface UnprivilegedDataPeer {
  /** Its sync roots (folders owned by the peer's user). */
  readonly roots: Record<string, string>;
  /** Its sync API's URL. */
  readonly url: string;
  /** Kills it and waits for its exit. */
  stop(): Promise<void>;
}

/**
 * Starts a sync server with data and files in a child process without root's
 * rights (as `nobody` when the tests run as root: its folders are given to
 * `nobody`), so the files' modes decide what it may read and write. Its
 * database holds one team written there ('from the peer'). `prepare` runs on
 * its roots before it starts (put files, take rights away). With `nats`, it
 * reads and writes that stream in the background (and answers its coverage in
 * `/data/info`).
 */
export async function startUnprivilegedDataPeer(base: string, prepare: (roots: Record<string, string>) => void = () => undefined, nats?: PeerStream): Promise<UnprivilegedDataPeer> {
  const roots = makeRoots(path.join(base, 'roots'));
  const dataDir = path.join(base, 'data');
  const stateDir = path.join(base, 'state');
  mkdirSync(dataDir, { recursive: true });
  mkdirSync(stateDir, { recursive: true });
  if (AS_ROOT) for (const dir of [base, path.join(base, 'roots'), dataDir, stateDir, ...Object.values(roots)]) chownSync(dir, NOBODY, NOBODY);
  prepare(roots);
  const args = ['-e', DATA_PEER_CHILD, JSON.stringify(roots), path.join(dataDir, 'app.db'), ...(nats === undefined ? [] : [JSON.stringify({ ...nats, stateDir })])];
  const child: ChildProcess = spawn(process.execPath, args, {
    cwd: REPO,
    stdio: ['ignore', 'pipe', 'inherit'],
    ...(AS_ROOT ? { uid: NOBODY, gid: NOBODY } : {}),
  });
  const stop = async (): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
  };
  try {
    const url = await new Promise<string>((resolve, reject) => {
      let text = '';
      child.stdout?.on('data', (chunk: Buffer) => {
        text += chunk.toString();
        const port = /^ready (\d+)\n/.exec(text)?.[1];
        if (port !== undefined) resolve(`http://127.0.0.1:${port}/api/sync`);
      });
      child.once('exit', (code) => reject(new Error(`the peer exited with ${String(code)} before it was ready`)));
    });
    return { roots, url, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
