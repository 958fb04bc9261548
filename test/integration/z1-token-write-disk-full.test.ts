import { spawn } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { APP_PROCESS_KILL_MS, APP_PROCESS_TIMEOUT_MS, killAppProcesses, trackAppProcess } from '../helpers/k2-app-process';
import { readSampleConfig } from '../../sample-app/config';
import type { SampleAppRun } from '../helpers/k3-sample-app-process';
import { tempDir } from '../helpers/temp';

const REPO = path.resolve(__dirname, '..', '..');

/**
 * The sample app as `npm start` runs it, with every file write cut at 0 bytes (`ulimit -f 0`), as on a
 * full disk: the first start makes DATA_DIR/.sync-token, and writing the token into it fails.
 */
function runWithWritesCut(env: Record<string, string>): Promise<SampleAppRun> {
  const child = trackAppProcess(
    spawn('/bin/sh', ['-c', 'ulimit -f 0 && exec "$0" -r ts-node/register/transpile-only sample-app/server.ts', process.execPath], {
      cwd: REPO,
      env: { PATH: process.env.PATH ?? '', HOST: '127.0.0.1', PORT: '0', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    }),
  );
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

/**
 * A laptop's first start on a full disk failed writing the new token, and left DATA_DIR/.sync-token
 * empty (created, never written). Once the operator freed space, every start stopped on "DATA_DIR/.sync-token
 * is empty: put the token the other servers use in it…", for a token that was never given to anyone.
 * The failed write leaves no token file, so the next start generates one, and its message says the disk
 * is full or the file too large rather than "make DATA_DIR writable".
 */
describe('the first start cannot write the token (disk full)', () => {
  let temp: ReturnType<typeof tempDir>;
  beforeEach(() => {
    temp = tempDir('ess-z1-token-full-');
  });
  afterEach(async () => {
    await killAppProcesses();
    temp.cleanup();
  });

  it('leaves no empty token file behind, and the next start gets a token', async () => {
    const dataDir = path.join(temp.dir, 'data');
    mkdirSync(dataDir);
    const failed = await runWithWritesCut({ DATA_DIR: dataDir });
    expect(failed.code).toBe(1);
    expect(failed.stderr).toMatch(/^sample app failed to start: DATA_DIR=.*: cannot write the new sync token into DATA_DIR\/\.sync-token \(EFBIG\): .*(full|too large)/);
    expect(failed.stderr).not.toMatch(/\n\s+at /); // no stack trace
    expect(existsSync(path.join(dataDir, '.sync-token'))).toBe(false);
    // Space freed: the next start reads its configuration and generates the token (it stopped here on "is empty").
    expect(readSampleConfig({ DATA_DIR: dataDir }).tokenSource).toBe('generated');
    expect(existsSync(path.join(dataDir, '.sync-token'))).toBe(true);
  }, APP_PROCESS_TIMEOUT_MS);
});
