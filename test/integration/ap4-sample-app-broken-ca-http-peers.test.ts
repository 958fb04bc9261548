import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { readSampleConfig } from '../../sample-app/config';
import { startBanner, startSampleApp } from '../../sample-app/server';
import { captureLog } from '../helpers/log';
import { tempDir } from '../helpers/temp';

const TOKEN = 'ap4-peer-ca-token-0123456789';

/**
 * SYNC_PEER_CA is used for https:// peers only. Before, the sample app read and checked it whatever
 * the peers, so a missing or non-PEM file stopped the start of an app whose peers are all http://
 * (no certificate would ever be checked). Now such an app starts and says once that SYNC_PEER_CA is
 * unused (the ah3 warning); with an https:// peer the file is still refused before anything is written.
 */
describe('ap4: a broken SYNC_PEER_CA with only http:// peers', () => {
  let temp: ReturnType<typeof tempDir>;
  let notPem: string;
  beforeAll(() => {
    temp = tempDir('ess-ap4-ca-http-');
    notPem = path.join(temp.dir, 'not-pem.txt');
    writeFileSync(notPem, 'not a certificate\n');
  });
  afterAll(() => temp.cleanup());
  let n = 0;
  const env = (extra: Record<string, string>): Record<string, string> => {
    n += 1;
    return { DATA_DIR: path.join(temp.dir, `data-${n}`), PORT: '0', HOST: '127.0.0.1', SYNC_TOKEN: TOKEN, SYNC_INTERVAL_MS: '3600000', ...extra };
  };
  const missing = (): string => path.join(temp.dir, 'no-such-ca.pem');

  it.each(['missing', 'not PEM'])('a %s SYNC_PEER_CA: the app starts, and warns once that it is unused', async (which) => {
    const log = captureLog();
    const settings = readSampleConfig(env({ SYNC_PEERS: 'http://127.0.0.1:9', SYNC_PEER_CA: which === 'missing' ? missing() : notPem }));
    const running = await startSampleApp(settings, log.logger);
    try {
      expect(log.events('app.peer_ca_unused')).toMatchObject([{ level: 40, msg: expect.stringContaining('SYNC_PEER_CA is set, but no peer in SYNC_PEERS is https://') as string }]);
      expect(startBanner(settings, running.url)).toContain('! SYNC_PEER_CA is set, but no peer in SYNC_PEERS is https://');
    } finally {
      await running.close();
    }
  });

  it.each<[string, () => string, RegExp]>([
    ['missing', missing, /^SYNC_PEER_CA: cannot read /],
    ['not PEM', () => notPem, /^SYNC_PEER_CA: .* holds no PEM certificate/],
  ])('a %s SYNC_PEER_CA with an https:// peer is still refused, before anything is written', (_which, file, message) => {
    const given = env({ SYNC_PEERS: 'http://127.0.0.1:9,https://127.0.0.1:10', SYNC_PEER_CA: file() });
    expect(() => readSampleConfig(given)).toThrow(message);
    expect(existsSync(given.DATA_DIR ?? '')).toBe(false);
  });
});
