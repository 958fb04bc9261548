import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { readSampleConfig } from '../../sample-app/config';
import { failedStartToken, startBanner } from '../../sample-app/server';
import { APP_PROCESS_KILL_MS, APP_PROCESS_TIMEOUT_MS, killAppProcesses } from '../helpers/k2-app-process';
import { runSampleApp } from '../helpers/k3-sample-app-process';
import { tempDir } from '../helpers/temp';

describe('the sample app\'s first start prints the token it generates, even when it then fails', () => {
  let temp: ReturnType<typeof tempDir>;
  beforeEach(() => {
    temp = tempDir('ess-first-token-');
  });
  afterEach(async () => {
    await killAppProcesses();
    temp.cleanup();
  });

  it('instance/app.db is no database: the start fails naming it, and prints the generated token in full (later starts only show it masked)', async () => {
    const dataDir = path.join(temp.dir, 'data');
    mkdirSync(path.join(dataDir, 'instance'), { recursive: true });
    writeFileSync(path.join(dataDir, 'instance', 'app.db'), 'not a database, but a file of text long enough to be read as a header '.repeat(20));
    const failed = await runSampleApp({ DATA_DIR: dataDir }, APP_PROCESS_KILL_MS);
    expect(failed.code).toBe(1);
    expect(failed.stderr).toContain('app.db');
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
