import { spawn, type ChildProcess } from 'node:child_process';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { APP_PROCESS_TIMEOUT_MS, killAppProcesses, trackAppProcess } from '../helpers/k2-app-process';
import { TEST_TOKEN } from '../helpers/server';
import { tempDir } from '../helpers/temp';

const REPO = path.resolve(__dirname, '..', '..');

/** The sample app as `npm start` runs it, its stdout kept. */
function startApp(env: Record<string, string>): { child: ChildProcess; output: () => string; exited: Promise<number | null> } {
  const child = trackAppProcess(
    spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', 'sample-app/server.ts'], {
      cwd: REPO,
      env: { PATH: process.env.PATH ?? '', PORT: '0', HOST: '127.0.0.1', SYNC_TOKEN: TEST_TOKEN, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    }),
  );
  let text = '';
  child.stdout?.on('data', (chunk: Buffer) => (text += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (text += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, output: () => text, exited };
}

/** Resolves once `condition` holds, or the process exited. */
async function until(condition: () => boolean, exited: Promise<unknown>): Promise<void> {
  let done = false;
  void exited.then(() => (done = true));
  while (!condition() && !done) await new Promise((resolve) => setTimeout(resolve, 20));
}

describe('stopping the sample app while a peer does not answer', () => {
  let temp: ReturnType<typeof tempDir>;
  let silent: http.Server;
  let asked = 0;
  let app: ReturnType<typeof startApp> | undefined;
  beforeEach(async () => {
    temp = tempDir();
    asked = 0;
    silent = http.createServer(() => {
      asked += 1; // never answers: the sync holds on until its timeout (30 s)
    });
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
  });
  afterEach(async () => {
    app = undefined;
    await killAppProcesses(); // also one whose start the test gave up waiting for
    silent.closeAllConnections();
    await new Promise<void>((resolve) => silent.close(() => resolve()));
    temp.cleanup();
  });

  async function startSyncing(): Promise<ReturnType<typeof startApp>> {
    const started = startApp({ DATA_DIR: path.join(temp.dir, 'data'), SYNC_PEERS: `http://127.0.0.1:${(silent.address() as AddressInfo).port}` });
    await until(() => asked > 0, started.exited);
    return started;
  }

  it.each(['SIGINT', 'SIGTERM'] as const)('%s: the sync that does not end is abandoned, the app exits cleanly at once', async (signal) => {
    app = await startSyncing();
    app.child.kill(signal);
    // Before SyncClient.stop() abandoned requests in flight, this exited with 1 after the 5 s bound.
    expect(await app.exited).toBe(0);
    expect(app.output()).toMatch(/stopping: running syncs get 2 s to end, then are abandoned/);
    expect(app.output()).toMatch(/"event":"app.stopped"[^\n]*"waited":true/);
    expect(app.output()).not.toMatch(/did not end/);
  }, APP_PROCESS_TIMEOUT_MS);
});
