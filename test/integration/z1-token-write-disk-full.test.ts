import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { APP_PROCESS_KILL_MS, APP_PROCESS_TIMEOUT_MS, killAppProcesses } from '../helpers/k2-app-process';
import { readSampleConfig } from '../../sample-app/config';
import { runSampleApp } from '../helpers/k3-sample-app-process';
import { tempDir } from '../helpers/temp';

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
    const failed = await runSampleApp({ DATA_DIR: dataDir }, APP_PROCESS_KILL_MS, { writesCut: true });
    expect(failed.code).toBe(1);
    expect(failed.stderr).toMatch(/^sample app failed to start: DATA_DIR=.*: cannot write the new sync token into DATA_DIR\/\.sync-token \(EFBIG\): .*(full|too large)/);
    expect(failed.stderr).not.toMatch(/\n\s+at /); // no stack trace
    expect(existsSync(path.join(dataDir, '.sync-token'))).toBe(false);
    // Space freed: the next start reads its configuration and generates the token (it stopped here on "is empty").
    expect(readSampleConfig({ DATA_DIR: dataDir }).tokenSource).toBe('generated');
    expect(existsSync(path.join(dataDir, '.sync-token'))).toBe(true);
  }, APP_PROCESS_TIMEOUT_MS);
});
