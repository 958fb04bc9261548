import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { checkPeerCa } from '../../lib/peers/client-options';
import { readSampleConfig } from '../../sample-app/config';
import { runCli } from '../helpers/h7-cli';
import { tempDir } from '../helpers/temp';

// Found by helper ah3 as a careless operator: the key file given where the CA certificate goes (`--ca key.pem`,
// SYNC_PEER_CA=key.pem, beside cert.pem from the same openssl command) was "holds no PEM certificate", which sends one
// looking for a certificate inside that file, and the library's peerCa said "give the certificate's text, not its file
// name", which it was. Each now says it is a private key, and which file to give.
describe('ah3: a private key given as the CA certificate is named as one', () => {
  let temp: ReturnType<typeof tempDir>;
  let key: string;
  let cert: string;
  beforeAll(() => {
    temp = tempDir('ess-ah3-ca-key-');
    key = path.join(temp.dir, 'key.pem');
    cert = path.join(temp.dir, 'cert.pem');
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=ah3', '-keyout', key, '-out', cert], { stdio: 'ignore' });
  });
  afterAll(() => temp.cleanup());

  it.each([[['status']], [['sync']], [['confirm-deletions']]])('the CLI (%j --ca key.pem): BAD_CA naming the key, exit 1, nothing sent', async ([command]) => {
    const said = `${key} (--ca or SYNC_PEER_CA) holds a private key, not a certificate: give the server's CA certificate (for a self-signed server, its certificate file), never a key`;
    const run = await runCli([command ?? '', '--url', 'https://127.0.0.1:9', '--ca', key, '--token', 'ah3-token-0123456789abcdef']);
    expect(run).toEqual({ code: 1, stdout: '', stderr: `express-sqlite-sync: ${said}\n` });
    const json = await runCli([command ?? '', '--url', 'https://127.0.0.1:9', '--token', 'ah3-token-0123456789abcdef', '--json'], { SYNC_PEER_CA: key });
    expect(JSON.parse(json.stdout)).toEqual({ error: { code: 'BAD_CA', message: said } });
  });

  it('the sample app (SYNC_PEER_CA=key.pem) stops before anything is written, naming the variable', () => {
    expect(() => readSampleConfig({ DATA_DIR: path.join(temp.dir, 'data'), SYNC_TOKEN: 'ah3-token-0123456789abcdef', SYNC_PEERS: 'https://10.0.0.2:5000', SYNC_PEER_CA: key })).toThrow(
      `SYNC_PEER_CA: ${key} holds a private key, not a certificate: give the peers' CA certificate (for a self-signed peer, the file its TLS_CERT names), never a key`,
    );
  });

  it('the library (peerCa: the key text) throws naming it; a certificate, or a bundle of key and certificate, is taken', () => {
    expect(() => checkPeerCa(readFileSync(key))).toThrow("`peerCa` holds a private key, not a certificate: give the CA certificate the peers' certificates are signed with (for a self-signed peer, its certificate), never a key");
    expect(checkPeerCa(readFileSync(cert))).toBeDefined();
    expect(checkPeerCa(`${readFileSync(key, 'utf8')}${readFileSync(cert, 'utf8')}`)).toBeDefined();
  });
});
