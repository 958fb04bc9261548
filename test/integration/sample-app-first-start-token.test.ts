import { readFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { readSampleConfig } from '../../sample-app/config';
import { failedStartToken, startBanner } from '../../sample-app/server';
import { APP_PROCESS_KILL_MS, APP_PROCESS_TIMEOUT_MS, killAppProcesses } from '../helpers/k2-app-process';
import { runSampleApp } from '../helpers/k3-sample-app-process';
import { tempDir } from '../helpers/temp';

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
    const failed = await runSampleApp({ PORT: String(port), DATA_DIR: dataDir }, APP_PROCESS_KILL_MS);
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
