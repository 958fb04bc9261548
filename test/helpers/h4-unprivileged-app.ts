import { spawn, type ChildProcess } from 'node:child_process';
import { chownSync, statSync } from 'node:fs';
import path from 'node:path';
import { APP_PROCESS_KILL_MS } from './k2-app-process';
import { runSampleApp, spawnSampleApp, type SampleAppRun } from './k3-sample-app-process';
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

/** The user the children run as: `nobody` when the tests run as root, else this process's own. */
const CHILD_USER = AS_ROOT ? NOBODY : undefined;

/**
 * Runs the sample app as `npm start` does, without root's rights (as `nobody`
 * when the test runs as root), until it exits; killed after `APP_PROCESS_KILL_MS`
 * (a start that hangs is a failure, not a hung test; the test's timeout is
 * `APP_PROCESS_TIMEOUT_MS`: ts-node alone takes 15 s on a loaded machine).
 */
export function runAppUnprivileged(env: Record<string, string>): Promise<SampleAppRun> {
  return runSampleApp(env, APP_PROCESS_KILL_MS, { user: CHILD_USER });
}

/** A child started by this file and the URL it serves, once it listens (rejected if it exits first). */
export interface UnprivilegedChild {
  readonly child: ChildProcess;
  readonly url: Promise<string>;
}

/** Resolves with `pattern`'s first group once the child's stdout shows it; rejects if the child exits first. */
function urlFrom(child: ChildProcess, pattern: RegExp, what: string): Promise<string> {
  return new Promise<string>((resolve, reject) => {
    let text = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      text += chunk.toString();
      const found = pattern.exec(text)?.[1];
      if (found !== undefined) resolve(found);
    });
    child.once('exit', (code) => reject(new Error(`${what} exited with ${code} before it listened`)));
  });
}

/**
 * Starts the sample app as `npm start` does, without root's rights (as
 * `nobody` when the test runs as root), and leaves it running (its stderr is
 * the test's); stop it with {@link stopUnprivileged}.
 * @returns the child, and the app's URL once it listens
 */
export function startAppUnprivileged(env: Record<string, string>): UnprivilegedChild {
  const child = spawnSampleApp(env, { stderr: 'inherit', user: CHILD_USER });
  return { child, url: urlFrom(child, /Sample app: (http:\/\/\S+)/, 'the app') };
}

/** Kills a child of this file (SIGKILL) unless it has exited already; resolves once it has exited. */
export async function stopUnprivileged(child: ChildProcess | undefined): Promise<void> {
  if (child === undefined || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGKILL');
  await exited;
}

/** Gives `paths` to `nobody` when the tests run as root (the child's user), so only their modes decide what it may do. */
export function giveToUnprivileged(...paths: string[]): void {
  if (!AS_ROOT) return;
  for (const each of paths) chownSync(each, NOBODY, NOBODY);
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
export function startUnprivilegedRouter(roots: Record<string, string>): UnprivilegedChild {
  const child = spawn(process.execPath, ['-e', ROUTER_CHILD, JSON.stringify(roots)], {
    cwd: REPO,
    stdio: ['ignore', 'pipe', 'inherit'],
    ...(CHILD_USER === undefined ? {} : { uid: CHILD_USER, gid: CHILD_USER }),
  });
  return { child, url: urlFrom(child, /^ready (\d+)\n/, 'the server').then((port) => `http://127.0.0.1:${port}/api/sync`) };
}
