import path from 'node:path';
import { silentLogger } from '../../lib/logger';
import { readSampleConfig } from '../../sample-app/config';
import { startSampleApp, startBanner } from '../../sample-app/server';
import { TEST_TOKEN } from '../helpers/server';
import { tempDir } from '../helpers/temp';

describe('sample app HOST', () => {
  let temp: ReturnType<typeof tempDir>;
  beforeEach(() => {
    temp = tempDir();
  });
  afterEach(() => temp.cleanup());

  const configFor = (host: string | undefined) => readSampleConfig({ DATA_DIR: path.join(temp.dir, 'data'), PORT: '0', SYNC_TOKEN: TEST_TOKEN, ...(host === undefined ? {} : { HOST: host }) });

  it('the URL in the banner and the log is the address bound, and it answers', async () => {
    const config = configFor('127.0.0.1');
    const running = await startSampleApp(config, silentLogger);
    try {
      expect(running.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(startBanner(config, running.url)).toContain(`Sample app: ${running.url}\n`);
      expect((await fetch(`${running.url}/api/sync/ui`)).status).toBe(200);
    } finally {
      await running.close();
    }
  });

  it.each([[''], ['   ']])('HOST=%j means all interfaces, as unset', (host) => {
    expect(configFor(host).host).toBeUndefined();
  });

  it('a HOST that does not resolve stops the start naming HOST and the fix', async () => {
    await expect(startSampleApp(configFor('pit-laptop.invalid'), silentLogger)).rejects.toThrow(/^HOST="pit-laptop\.invalid": cannot listen there \(E[A-Z_]+\); give an address of this machine/);
  });
});
