import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { spawnSampleApp } from '../helpers/k3-sample-app-process';
import { APP_PROCESS_TIMEOUT_MS, killAppProcesses } from '../helpers/k2-app-process';
import { TEST_TOKEN } from '../helpers/server';
import { tempDir } from '../helpers/temp';

/** Runs the sample app as `npm start` does, to its exit (stopped once its banner says it started); its stdout and stderr kept apart. */
function runApp(env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawnSampleApp(env, { stderr: 'pipe' });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
    if (/^Sample app: /m.test(stdout)) child.kill('SIGTERM'); // it started: the test fails, and leaves no process behind
  });
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve) => child.once('close', (code) => resolve({ code, stdout, stderr })));
}

/**
 * Someone copies a line of an env file into DATA_DIR/.sync-token. Before, the
 * app started with the token "SYNC_TOKEN=…", one no other server has: every
 * sync was refused as unauthorized, far from the cause.
 */
describe('a DATA_DIR/.sync-token in env-file syntax stops the start, naming the file and the fix', () => {
  let temp: ReturnType<typeof tempDir>;
  beforeEach(() => {
    temp = tempDir('ess-h8-token-file-');
  });
  afterEach(async () => {
    await killAppProcesses();
    temp.cleanup();
  });

  it.each([`SYNC_TOKEN=${TEST_TOKEN}\n`, `export SYNC_TOKEN=${TEST_TOKEN}\r\n`, `PORT=5000\nSYNC_TOKEN = ${TEST_TOKEN}\n`])('%j', async (content) => {
    const dataDir = path.join(temp.dir, 'data');
    mkdirSync(dataDir);
    const file = path.join(dataDir, '.sync-token');
    writeFileSync(file, content);
    const result = await runApp({ DATA_DIR: dataDir });
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toBe(`sample app failed to start: DATA_DIR/.sync-token (${file}) holds a line "SYNC_TOKEN=…" (env-file syntax): the file holds only the token; keep just the value after "SYNC_TOKEN=" in it, or set SYNC_TOKEN instead\n`);
    expect(result.stderr).not.toContain(TEST_TOKEN); // the token is not echoed
    expect(existsSync(path.join(dataDir, 'instance', 'app.db'))).toBe(false); // refused before the database opens
  }, APP_PROCESS_TIMEOUT_MS);
});

/**
 * A named pipe (or a link to a device, `/dev/zero`) under the name DATA_DIR/.sync-token: the start opened it to
 * read the token and blocked for good, without a word, also with SYNC_TOKEN set (the check for a token file that
 * differs read it too). It is never opened now: without SYNC_TOKEN the start stops naming the file; with
 * SYNC_TOKEN, whose token is the one used, the app starts.
 */
describe('a DATA_DIR/.sync-token that is no file is never opened', () => {
  let temp: ReturnType<typeof tempDir>;
  beforeEach(() => {
    temp = tempDir('ess-aj5-token-pipe-');
  });
  afterEach(async () => {
    await killAppProcesses();
    temp.cleanup();
  });

  /** A data folder whose `.sync-token` is a named pipe (`pipe`) or a link to `/dev/zero` (`device`). */
  function dataDirWith(kind: 'pipe' | 'device'): { dataDir: string; file: string } {
    const dataDir = path.join(temp.dir, 'data');
    mkdirSync(dataDir);
    const file = path.join(dataDir, '.sync-token');
    if (kind === 'pipe') execFileSync('mkfifo', [file]);
    else symlinkSync('/dev/zero', file);
    return { dataDir, file };
  }

  it.each([
    ['pipe', 'a named pipe'],
    ['device', 'a device'],
  ] as const)('a %s without SYNC_TOKEN: the start stops, naming the file', async (kind, what) => {
    const { dataDir, file } = dataDirWith(kind);
    const result = await runApp({ DATA_DIR: dataDir });
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toBe(`sample app failed to start: DATA_DIR/.sync-token (${file}) is ${what}, not a file: it is never read (it would block the start); move it aside and put the token the other servers use in a file of that name, or set SYNC_TOKEN\n`);
    expect(existsSync(path.join(dataDir, 'instance', 'app.db'))).toBe(false); // refused before the database opens
  }, APP_PROCESS_TIMEOUT_MS);

  it('a pipe with SYNC_TOKEN set: the app starts with that token', async () => {
    const { dataDir } = dataDirWith('pipe');
    const result = await runApp({ DATA_DIR: dataDir, SYNC_TOKEN: TEST_TOKEN });
    expect(result.stdout).toMatch(/^Sample app: /m);
    expect(result.stdout).toMatch(/^Sync token: .* \(from SYNC_TOKEN\)$/m);
  }, APP_PROCESS_TIMEOUT_MS);
});
