import { spawn, type ChildProcess } from 'node:child_process';
import { statSync } from 'node:fs';
import path from 'node:path';
import { APP_PROCESS_KILL_MS } from './k2-app-process';
import { TEST_TOKEN } from './server';

const REPO = path.resolve(__dirname, '..', '..');

/** Whether the tests run as root: then the app is started as `nobody`, since root may write anywhere and bind any port. */
export const AS_ROOT = process.getuid?.() === 0;
/** The user id (and group) of `nobody`, who runs the child processes when the tests run as root. */
export const NOBODY = 65534;

/** Whether another user can run the sample app from this checkout (every folder above it searchable by others). */
export function othersCanRun(): boolean {
  for (let dir = REPO; ; dir = path.dirname(dir)) {
    if ((statSync(dir).mode & 0o001) === 0) return false;
    if (path.dirname(dir) === dir) return true;
  }
}

/** Whether the sample app can be run here without root's rights (as this user, or as `nobody` when this is root). */
export const CAN_RUN_UNPRIVILEGED = !AS_ROOT || othersCanRun();

/**
 * Runs the sample app as `npm start` does, without root's rights (as `nobody`
 * when the test runs as root), until it exits; killed after `APP_PROCESS_KILL_MS`
 * (a start that hangs is a failure, not a hung test; the test's timeout is
 * `APP_PROCESS_TIMEOUT_MS`: ts-node alone takes 15 s on a loaded machine).
 */
export function runAppUnprivileged(env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', 'sample-app/server.ts'], {
    cwd: REPO,
    env: { PATH: process.env.PATH ?? '', HOST: '127.0.0.1', PORT: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    ...(AS_ROOT ? { uid: NOBODY, gid: NOBODY } : {}),
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const timer = setTimeout(() => child.kill('SIGKILL'), APP_PROCESS_KILL_MS);
  return new Promise((resolve) =>
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    }),
  );
}

const DIST = path.join(REPO, 'dist', 'index.js');

/** A sync server of the built package serving `roots` (argv[1], JSON); prints "ready <port>". */
const ROUTER_CHILD = `
const express = require('express');
const { createSyncRouter, silentLogger } = require(${JSON.stringify(DIST)});
const app = express();
app.use('/api/sync', createSyncRouter({ token: ${JSON.stringify(TEST_TOKEN)}, roots: JSON.parse(process.argv[1]), logger: silentLogger }));
const server = app.listen(0, '127.0.0.1', () => process.stdout.write('ready ' + server.address().port + '\\n'));
`;

/**
 * Starts a sync server (the built package, `dist/`) on `roots` in a child
 * process without root's rights (as `nobody` when the test runs as root), so
 * only the folders' modes decide what it may read and write.
 * @returns the child, and its sync API's URL once it listens
 */
export function startUnprivilegedRouter(roots: Record<string, string>): { readonly child: ChildProcess; readonly url: Promise<string> } {
  const child = spawn(process.execPath, ['-e', ROUTER_CHILD, JSON.stringify(roots)], {
    cwd: REPO,
    stdio: ['ignore', 'pipe', 'inherit'],
    ...(AS_ROOT ? { uid: NOBODY, gid: NOBODY } : {}),
  });
  const url = new Promise<string>((resolve, reject) => {
    let text = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      text += chunk.toString();
      const port = /^ready (\d+)\n/.exec(text)?.[1];
      if (port !== undefined) resolve(`http://127.0.0.1:${port}/api/sync`);
    });
    child.once('exit', (code) => reject(new Error(`the server exited with ${code} before it was ready`)));
  });
  return { child, url };
}
