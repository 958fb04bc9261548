import { spawn } from 'node:child_process';
import { statSync } from 'node:fs';
import path from 'node:path';

const REPO = path.resolve(__dirname, '..', '..');

/** Whether the tests run as root: then the app is started as `nobody`, since root may write anywhere and bind any port. */
export const AS_ROOT = process.getuid?.() === 0;
const NOBODY = 65534;

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
 * when the test runs as root), until it exits; killed after 50 s (a start that
 * hangs is a failure, not a hung test).
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
  const timer = setTimeout(() => child.kill('SIGKILL'), 50_000);
  return new Promise((resolve) =>
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    }),
  );
}
