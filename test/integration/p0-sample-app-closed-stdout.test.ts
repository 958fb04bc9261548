import { freePort } from '../helpers/nats-server';
import { spawnSampleApp } from '../helpers/k3-sample-app-process';
import { APP_PROCESS_TIMEOUT_MS, killAppProcesses } from '../helpers/k2-app-process';
import { TEST_TOKEN } from '../helpers/server';
import { tempDir } from '../helpers/temp';

/** True once the app answers on `port`; false when it exited first or did not answer in time. */
async function answers(port: number, exited: () => boolean): Promise<boolean> {
  const until = Date.now() + APP_PROCESS_TIMEOUT_MS / 2;
  while (Date.now() < until && !exited()) {
    try {
      if ((await fetch(`http://127.0.0.1:${port}/api/sync/ui`)).status < 500) return true;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return false;
}

/**
 * `npm start | head -1`, a `| less` quit early, a `tee` that died: the reader
 * of the app's stdout is gone before its start banner. The banner's write
 * failed with EPIPE, an unheard error event, and the app ended with a stack
 * trace, no server left. It now goes on without a stdout.
 */
describe('the sample app whose stdout reader went away', () => {
  let temp: ReturnType<typeof tempDir>;
  beforeEach(() => {
    temp = tempDir('ess-p0-closed-stdout-');
  });
  afterEach(async () => {
    await killAppProcesses();
    temp.cleanup();
  });

  it('keeps running and serving, with no EPIPE stack on stderr', async () => {
    const port = await freePort();
    const child = spawnSampleApp({ PORT: String(port), DATA_DIR: temp.dir, SYNC_TOKEN: TEST_TOKEN }, { stderr: 'pipe' });
    child.stdout?.destroy(); // the reader is gone before the app wrote a byte
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const closed = new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)));
    expect(await answers(port, () => child.exitCode !== null)).toBe(true);
    expect(child.exitCode).toBeNull();
    child.kill('SIGTERM');
    expect(await closed).toBe(0);
    expect(stderr).not.toMatch(/EPIPE|at main/);
  }, APP_PROCESS_TIMEOUT_MS);
});
