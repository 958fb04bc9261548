import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { TEST_TOKEN } from './server';

const REPO = path.resolve(__dirname, '..', '..');
/** The built package, as users run it (CLI and child-process tests build it first: `npm test` runs the build). */
export const DIST = path.join(REPO, 'dist', 'index.js');

/** A sync server in a child process: the roots as its first argument (JSON); prints "ready <port>". */
export const SERVER_CHILD = `
const express = require('express');
const { createSyncRouter, silentLogger } = require(${JSON.stringify(DIST)});
const roots = JSON.parse(process.argv[1]);
const app = express();
app.use('/api/sync', createSyncRouter({ token: ${JSON.stringify(TEST_TOKEN)}, roots, logger: silentLogger }));
const server = app.listen(0, '127.0.0.1', () => process.stdout.write('ready ' + server.address().port + '\\n'));
`;

/** A child process running a script, and the first line it printed. */
export interface Child {
  readonly process: ChildProcess;
  /** The first line the child printed. */
  readonly ready: Promise<string>;
}

/** Runs `script` in a child process (`node -e`) from the repository's folder, with `args`. */
export function startChild(script: string, args: readonly string[]): Child {
  const child = spawn(process.execPath, ['-e', script, ...args], { cwd: REPO, stdio: ['ignore', 'pipe', 'inherit'] });
  const ready = new Promise<string>((resolve, reject) => {
    let text = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      text += chunk.toString();
      if (text.includes('\n')) resolve(text.split('\n')[0] ?? '');
    });
    child.once('exit', (code) => reject(new Error(`child exited with ${code} before it was ready`)));
  });
  return { process: child, ready };
}

/** The port a {@link SERVER_CHILD} listens on, once it is ready. */
export async function portOf(child: Child): Promise<number> {
  return Number((await child.ready).split(' ')[1]);
}

/** Kills a child process with SIGKILL (a crash, as the kernel's OOM killer or a power cut leaves it) and waits for it to be gone. */
export async function sigkill(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGKILL');
  await exited;
}

/** Waits until `condition` holds, looking every 20 ms; fails naming `what` after 15 s. */
export async function until(condition: () => boolean, what: string): Promise<void> {
  for (let waited = 0; !condition(); waited += 20) {
    if (waited > 15_000) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
