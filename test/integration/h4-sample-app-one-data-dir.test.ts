import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { silentLogger } from '../../lib/logger';
import { readSampleConfig } from '../../sample-app/config';
import { startSampleApp } from '../../sample-app/server';
import { TEST_TOKEN } from '../helpers/server';
import { tempDir } from '../helpers/temp';
import { APP_PROCESS_TIMEOUT_MS, killAppProcesses, trackAppProcess } from '../helpers/k2-app-process';

const REPO = path.resolve(__dirname, '..', '..');

/** The sample app as `npm start` runs it, in its own process; resolves once its banner is printed. */
function spawnApp(dataDir: string): Promise<ChildProcessWithoutNullStreams> {
  const child = trackAppProcess(
    spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', 'sample-app/server.ts'], {
      cwd: REPO,
      env: { PATH: process.env.PATH ?? '', HOST: '127.0.0.1', PORT: '0', DATA_DIR: dataDir, SYNC_TOKEN: TEST_TOKEN, LOG_LEVEL: 'silent' },
    }),
  );
  let stdout = '';
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      if (stdout.includes('Sample app: http')) resolve(child);
    });
    child.once('close', (code) => reject(new Error(`the first app exited (${code}) before listening: ${stderr}`)));
  });
}

/** What a start that should be refused threw; one that started is closed again (so the test ends), and says so. */
async function refusal(config: ReturnType<typeof readSampleConfig>): Promise<string> {
  try {
    const running = await startSampleApp(config, silentLogger);
    await running.close();
    return 'it started';
  } catch (error) {
    return (error as Error).message;
  }
}

function ended(child: ChildProcessWithoutNullStreams): Promise<void> {
  return child.exitCode !== null || child.signalCode !== null ? Promise.resolve() : new Promise((resolve) => child.once('close', () => resolve()));
}

/**
 * The careless operator starts a second sample app and forgets its DATA_DIR
 * (or gives the first one's): it started silently on the same database, site
 * id and sync state, and its peers then refused one of the two
 * (SAME_SITE_ID / DUPLICATE_SITE_ID). Now its start stops with one line
 * naming DATA_DIR; a crash of the first leaves no stale lock behind.
 */
describe('two sample apps on one DATA_DIR', () => {
  let temp: ReturnType<typeof tempDir>;
  let first: ChildProcessWithoutNullStreams | undefined;
  beforeEach(() => {
    temp = tempDir('ess-h4-one-data-dir-');
  });
  afterEach(async () => {
    first = undefined;
    await killAppProcesses(); // also a first app whose start the test gave up waiting for
    temp.cleanup();
  });

  it('the second start names DATA_DIR and the fix; after the first is killed (-9), a start works', async () => {
    const dataDir = path.join(temp.dir, 'data');
    first = await spawnApp(dataDir);
    const config = readSampleConfig({ DATA_DIR: dataDir, PORT: '0', HOST: '127.0.0.1', SYNC_TOKEN: TEST_TOKEN });
    expect(await refusal(config)).toBe(
      `DATA_DIR=${dataDir} is in use by another running sample app (it holds DATA_DIR/.sample-app.lock): give each server its own DATA_DIR (DATA_DIR=./b), or stop the other one first`,
    );

    first.kill('SIGKILL'); // a crash: nothing is cleaned up
    await ended(first);
    first = undefined;
    const running = await startSampleApp(config, silentLogger);
    try {
      expect((await fetch(`${running.url}/api/health`)).status).toBe(200);
      // While it runs, the folder is its own; once closed, the next start takes it.
      expect(await refusal(config)).toMatch(/is in use by another running sample app/);
    } finally {
      await running.close();
    }
    const again = await startSampleApp(config, silentLogger);
    await again.close();
  }, APP_PROCESS_TIMEOUT_MS);

  it('a second start without SYNC_TOKEN writes no token into the running app\'s DATA_DIR', async () => {
    // The first app runs on SYNC_TOKEN, so its folder holds no .sync-token: the second start (no SYNC_TOKEN) generated
    // one and saved it there before the lock refused it. A restart of the first without SYNC_TOKEN then used that
    // token, which no peer has, and with SYNC_TOKEN its banner warned of a token file holding another token.
    const dataDir = path.join(temp.dir, 'data');
    first = await spawnApp(dataDir);
    expect(() => readSampleConfig({ DATA_DIR: dataDir, PORT: '0', HOST: '127.0.0.1' })).toThrow(
      `DATA_DIR=${dataDir} is in use by another running sample app (it holds DATA_DIR/.sample-app.lock): give each server its own DATA_DIR (DATA_DIR=./b), or stop the other one first`,
    );
    expect(existsSync(path.join(dataDir, '.sync-token'))).toBe(false);
  }, APP_PROCESS_TIMEOUT_MS);

  it('one app on each DATA_DIR is fine', async () => {
    const a = await startSampleApp(readSampleConfig({ DATA_DIR: path.join(temp.dir, 'a'), PORT: '0', HOST: '127.0.0.1', SYNC_TOKEN: TEST_TOKEN }), silentLogger);
    try {
      const b = await startSampleApp(readSampleConfig({ DATA_DIR: path.join(temp.dir, 'b'), PORT: '0', HOST: '127.0.0.1', SYNC_TOKEN: TEST_TOKEN }), silentLogger);
      await b.close();
    } finally {
      await a.close();
    }
  });
});
