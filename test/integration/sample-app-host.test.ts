import path from 'node:path';
import { silentLogger } from '../../lib/logger';
import { readSampleConfig } from '../../sample-app/config';
import { startSampleApp, startBanner } from '../../sample-app/server';
import { captureLog } from '../helpers/log';
import { TEST_TOKEN } from '../helpers/server';
import { tempDir } from '../helpers/temp';

describe('sample app HOST and its listening line', () => {
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

  it('logs app.listening with one "name" key (pino\'s) and the server\'s name as serverName', async () => {
    const log = captureLog('info', { name: 'sample-app' });
    const running = await startSampleApp(readSampleConfig({ DATA_DIR: path.join(temp.dir, 'data'), PORT: '0', HOST: '127.0.0.1', SYNC_TOKEN: TEST_TOKEN, SYNC_NAME: 'pit laptop' }), log.logger);
    try {
      const line = log.text().split('\n').find((text) => text.includes('"app.listening"')) ?? '';
      expect(line.match(/"name":/g)).toHaveLength(1);
      expect(JSON.parse(line)).toMatchObject({ name: 'sample-app', serverName: 'pit laptop', url: running.url });
    } finally {
      await running.close();
    }
  });

  // Before: HOST=0 (all interfaces, as 0.0.0.0) printed http://0:PORT, which a browser on another OS does not open.
  it.each([['0.0.0.0'], ['0'], ['::'], ['::0']])('HOST=%j binds all interfaces: the URL says localhost, and it answers', async (host) => {
    const running = await startSampleApp(configFor(host), silentLogger);
    try {
      expect(running.url).toMatch(/^http:\/\/localhost:\d+$/);
      expect((await fetch(`${running.url.replace('localhost', '127.0.0.1')}/api/sync/ui`)).status).toBe(200);
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
