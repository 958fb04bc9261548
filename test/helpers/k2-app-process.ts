import type { ChildProcess } from 'node:child_process';

/**
 * The jest timeout of a test that starts the sample app in a child process
 * with ts-node (`npm start`): loading TypeScript and transpiling the package
 * takes about 2 s on an idle machine but 15 s and more on a loaded 2-core
 * one, and a test may start it twice. A tighter bound made such tests fail
 * there with nothing wrong.
 */
export const APP_PROCESS_TIMEOUT_MS = 180_000;

/**
 * How long a helper lets the sample app run before it kills it as hung,
 * kept under {@link APP_PROCESS_TIMEOUT_MS} so the test reports the hang itself.
 */
export const APP_PROCESS_KILL_MS = 150_000;

const running = new Set<ChildProcess>();

/** Keeps `child` to be killed by {@link killAppProcesses}; returns it. */
export function trackAppProcess<T extends ChildProcess>(child: T): T {
  running.add(child);
  child.once('exit', () => running.delete(child));
  return child;
}

/**
 * Kills (SIGKILL) every tracked child still running and waits for each to
 * exit: call it in `afterEach`, so a test that failed or timed out before it
 * stopped its app leaves no process behind (the app with a peer that never
 * answers would run for ever).
 */
export async function killAppProcesses(): Promise<void> {
  const exits: Promise<void>[] = [];
  for (const child of running) {
    running.delete(child);
    if (child.exitCode !== null || child.signalCode !== null) continue;
    exits.push(new Promise((resolve) => child.once('exit', () => resolve())));
    child.kill('SIGKILL');
  }
  await Promise.all(exits);
}
