import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { readSampleConfig } from '../../../sample-app/config';
import { tempDir } from '../../helpers/temp';

/**
 * SYNC_PEER_CA holding a certificate damaged by a copy and paste (its END line lost, lines lost
 * in the middle): the library refuses such a `peerCa`, but the sample app's check only looked
 * for a BEGIN line, so the start failed later naming `peerCa` (neither SYNC_PEER_CA nor the
 * file) after it had made the data folders and the database.
 */
describe('sample app: SYNC_PEER_CA with a damaged certificate', () => {
  const temp = tempDir('ess-h3-peer-ca-');
  const certFile = path.join(temp.dir, 'cert.pem');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=127.0.0.1', '-keyout', path.join(temp.dir, 'key.pem'), '-out', certFile], { stdio: 'ignore' });
  const cert = readFileSync(certFile, 'utf8');
  afterAll(() => temp.cleanup());

  /** The certificate cut after its sixth line, its END line kept or not. */
  function damaged(keepEnd: boolean): string {
    const lines = cert.trim().split('\n');
    return `${lines.slice(0, 6).join('\n')}\n${keepEnd ? `${lines[lines.length - 1] ?? ''}\n` : ''}`;
  }

  it.each<[string, boolean, RegExp]>([
    ['its END line lost', false, /never ends \(-----END CERTIFICATE-----\): cut short\?/],
    ['lines lost in the middle', true, /its certificate cannot be read \(.*\): damaged by a copy and paste\?/],
  ])('%s: refused naming SYNC_PEER_CA and the file, before anything is written', (what, keepEnd, why) => {
    const file = path.join(temp.dir, `ca-${String(keepEnd)}.pem`);
    writeFileSync(file, damaged(keepEnd));
    const dataDir = path.join(temp.dir, `data-${what.replace(/\W+/g, '-')}`);
    let message = '';
    try {
      readSampleConfig({ DATA_DIR: dataDir, SYNC_PEERS: 'https://10.0.0.2:5000', SYNC_PEER_CA: file });
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toContain(`SYNC_PEER_CA: ${file}`);
    expect(message).toMatch(why);
    expect(existsSync(dataDir)).toBe(false);
  });

  it('takes the certificate as it is, and two in one file', () => {
    const twice = path.join(temp.dir, 'ca-twice.pem');
    writeFileSync(twice, `${cert}${cert}`);
    for (const file of [certFile, twice]) {
      expect(readSampleConfig({ DATA_DIR: path.join(temp.dir, 'data-ok'), SYNC_PEER_CA: file }).peerCaFile).toBe(file);
    }
  });
});
