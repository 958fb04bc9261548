import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { trackAppProcess } from './k2-app-process';

const REPO = path.resolve(__dirname, '..', '..');

/** How a run of the sample app ended: its exit code (null when a signal stopped it) and what it printed. */
export interface SampleAppRun {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** How {@link spawnSampleApp} starts the app. */
export interface SampleAppSpawn {
  /** Where its stderr goes: kept (`pipe`) or the test's (`inherit`). */
  readonly stderr: 'pipe' | 'inherit';
  /** The user (and group) id it runs as; this process's own when not given. */
  readonly user?: number;
  /** Every file write cut at 0 bytes (`ulimit -f 0` in a shell that then runs the app), as on a full disk. */
  readonly writesCut?: boolean;
}

/**
 * Starts the sample app as `npm start` does, from this checkout, in its own
 * process: `PATH` only from this environment, `HOST` 127.0.0.1 and `PORT` 0
 * unless `env` says otherwise. Its stdout is piped; it is tracked, so
 * `killAppProcesses` (k2-app-process) kills it if the test leaves it running.
 */
export function spawnSampleApp(env: Record<string, string>, how: SampleAppSpawn): ChildProcess {
  const app = ['-r', 'ts-node/register/transpile-only', 'sample-app/server.ts'];
  const [command, args] = how.writesCut === true ? ['/bin/sh', ['-c', `ulimit -f 0 && exec "$0" ${app.join(' ')}`, process.execPath]] : [process.execPath, app];
  return trackAppProcess(
    spawn(command, args, {
      cwd: REPO,
      env: { PATH: process.env.PATH ?? '', HOST: '127.0.0.1', PORT: '0', ...env },
      stdio: ['ignore', 'pipe', how.stderr],
      ...(how.user === undefined ? {} : { uid: how.user, gid: how.user }),
    }),
  );
}

/**
 * Runs the sample app ({@link spawnSampleApp}) until it exits, its stdout and
 * stderr kept apart; killed after `timeoutMs` (a start that hangs is a
 * failure, not a hung test).
 */
export function runSampleApp(env: Record<string, string>, timeoutMs: number, how: Omit<SampleAppSpawn, 'stderr'> = {}): Promise<SampleAppRun> {
  const child = spawnSampleApp(env, { stderr: 'pipe', ...how });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  return new Promise((resolve) =>
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    }),
  );
}
