import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { readSampleConfig } from '../../sample-app/config';
import { failedStartToken, startBanner } from '../../sample-app/server';
import { APP_PROCESS_TIMEOUT_MS, killAppProcesses, trackAppProcess } from '../helpers/k2-app-process';
import { tempDir } from '../helpers/temp';

const REPO = path.resolve(__dirname, '..', '..');

/** Runs the sample app as `npm start` does, to its exit; its stdout and stderr kept apart. */
function runApp(env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = trackAppProcess(
    spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', 'sample-app/server.ts'], {
      cwd: REPO,
      env: { PATH: process.env.PATH ?? '', HOST: '127.0.0.1', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    }),
  );
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve) => child.once('close', (code) => resolve({ code, stdout, stderr })));
}

describe('the sample app\'s first start prints the token it generates, even when it cannot listen', () => {
  let temp: ReturnType<typeof tempDir>;
  let taken: net.Server;
  let port: number;
  beforeEach(async () => {
    temp = tempDir('ess-first-token-');
    taken = net.createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    port = (taken.address() as net.AddressInfo).port;
  });
  afterEach(async () => {
    await killAppProcesses();
    await new Promise<void>((resolve) => taken.close(() => resolve()));
    temp.cleanup();
  });

  it('PORT in use: the start fails naming PORT, and prints the generated token in full (later starts only show it masked)', async () => {
    const dataDir = path.join(temp.dir, 'data');
    const failed = await runApp({ PORT: String(port), DATA_DIR: dataDir });
    expect(failed.code).toBe(1);
    expect(failed.stderr).toContain(`PORT=${port}: the port is in use`);
    const token = readFileSync(path.join(dataDir, '.sync-token'), 'utf8').trim();
    expect(token).toMatch(/^[0-9a-f]{48}$/);
    expect(failed.stdout).toBe(`Sync token: ${token} (generated, saved in DATA_DIR/.sync-token; give the other servers the same one)\n`);
    // The next start reads the file: its banner masks the token, so the failed start was the only one to show it.
    const next = readSampleConfig({ DATA_DIR: dataDir, PORT: '0' });
    expect(next.tokenSource).toBe('file');
    expect(startBanner(next, 'http://127.0.0.1:1')).not.toContain(token);
  }, APP_PROCESS_TIMEOUT_MS);

  it('prints nothing of a token it did not generate (SYNC_TOKEN, or the file of an earlier start)', () => {
    const dataDir = path.join(temp.dir, 'data');
    expect(failedStartToken(readSampleConfig({ DATA_DIR: dataDir, SYNC_TOKEN: 'a-token-of-16-chars-or-more' }))).toBe('');
    expect(failedStartToken(readSampleConfig({ DATA_DIR: dataDir }))).toMatch(/^Sync token: [0-9a-f]{48} \(generated/);
    expect(failedStartToken(readSampleConfig({ DATA_DIR: dataDir }))).toBe('');
  });
});
