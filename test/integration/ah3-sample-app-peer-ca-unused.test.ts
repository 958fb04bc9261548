import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { readSampleConfig } from '../../sample-app/config';
import { startBanner, startSampleApp } from '../../sample-app/server';
import { captureLog } from '../helpers/log';
import { tempDir } from '../helpers/temp';

const TOKEN = 'ah3-peer-ca-token-0123456789';

// Found by helper ah3 as a careless operator: SYNC_PEER_CA is read for https:// peers only, so with every peer written
// http:// (the `s` forgotten) it was taken without a word: the operator believed the link encrypted, and the token went to
// the peers in the clear (the CLI refuses --ca with an http:// URL). The start now says so, in the log and the banner.
describe('ah3: the sample app says a SYNC_PEER_CA that no peer uses', () => {
  let temp: ReturnType<typeof tempDir>;
  let cert: string;
  beforeAll(() => {
    temp = tempDir('ess-ah3-ca-unused-');
    cert = path.join(temp.dir, 'cert.pem');
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=ah3', '-keyout', path.join(temp.dir, 'key.pem'), '-out', cert], { stdio: 'ignore' });
  });
  afterAll(() => temp.cleanup());
  let n = 0;
  const config = (env: Record<string, string>): ReturnType<typeof readSampleConfig> => {
    n += 1;
    return readSampleConfig({ DATA_DIR: path.join(temp.dir, `data-${n}`), PORT: '0', HOST: '127.0.0.1', SYNC_TOKEN: TOKEN, SYNC_INTERVAL_MS: '3600000', ...env });
  };

  it.each([
    ['every peer http://', 'http://127.0.0.1:9,HTTP://127.0.0.1:10', 'SYNC_PEER_CA is set, but no peer in SYNC_PEERS is https:// (the token goes to them unencrypted): it is unused; write the peers served over HTTPS (TLS_CERT and TLS_KEY there) as https://…, or unset SYNC_PEER_CA'],
    ['no SYNC_PEERS', '', 'SYNC_PEER_CA is set, but SYNC_PEERS names no peer: it is unused; write the peers served over HTTPS (TLS_CERT and TLS_KEY there) as https://…, or unset SYNC_PEER_CA'],
  ])('%s: a warn line at start and a ! line in the banner', async (_, peers, said) => {
    const log = captureLog();
    const settings = config({ SYNC_PEERS: peers, SYNC_PEER_CA: cert });
    const running = await startSampleApp(settings, log.logger);
    try {
      expect(log.events('app.peer_ca_unused')).toMatchObject([{ level: 40, msg: said }]);
      expect(startBanner(settings, running.url)).toContain(`\n            ! ${said}\n`);
    } finally {
      await running.close();
    }
  });

  it.each([
    ['a mixed fleet (one https:// peer)', 'http://127.0.0.1:9,https://127.0.0.1:10', true],
    ['no SYNC_PEER_CA', 'http://127.0.0.1:9', false],
  ])('%s: nothing said', async (_, peers, withCa) => {
    const log = captureLog();
    const settings = config(withCa ? { SYNC_PEERS: peers, SYNC_PEER_CA: cert } : { SYNC_PEERS: peers });
    const running = await startSampleApp(settings, log.logger);
    try {
      expect(log.events('app.peer_ca_unused')).toEqual([]);
      expect(startBanner(settings, running.url)).not.toContain('SYNC_PEER_CA');
    } finally {
      await running.close();
    }
  });
});
