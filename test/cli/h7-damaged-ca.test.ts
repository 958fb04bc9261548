import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { checkPeerCa } from '../../lib/peers/client-options';
import { tempDir } from '../helpers/temp';
import { runCli } from '../helpers/h7-cli';

/**
 * A CA certificate copied by hand (a chat message, a terminal) loses a line or
 * its end. Node's TLS drops a certificate it cannot read without a word, so
 * before, the CLI said "not signed by the CA certificate of --ca" and sent the
 * operator looking for another CA.
 */
describe('a --ca file (or peerCa) whose certificate is damaged is BAD_CA, saying so', () => {
  let temp: ReturnType<typeof tempDir>;
  let server: https.Server;
  let url: string;
  let cert: string;
  beforeAll(async () => {
    temp = tempDir();
    const certFile = path.join(temp.dir, 'cert.pem');
    const keyFile = path.join(temp.dir, 'key.pem');
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', keyFile, '-out', certFile], { stdio: 'ignore' });
    cert = readFileSync(certFile, 'utf8');
    server = https.createServer({ cert, key: readFileSync(keyFile) }, (_req, res) => res.end('{}'));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    temp.cleanup();
  });

  /** The certificate cut after its sixth line, its END line kept or not. */
  function damaged(keepEnd: boolean): string {
    const lines = cert.trim().split('\n');
    return `${lines.slice(0, 6).join('\n')}\n${keepEnd ? `${lines[lines.length - 1] ?? ''}\n` : ''}`;
  }

  it.each<[string, boolean, RegExp]>([
    ['lines lost in the middle', true, /: its certificate cannot be read \(.*\): damaged by a copy and paste\? Copy the CA certificate's file as it is$/],
    ['its END line lost', false, /: a certificate starts \(-----BEGIN CERTIFICATE-----\) and never ends \(-----END CERTIFICATE-----\): cut short\?/],
  ])('%s', async (_name, keepEnd, message) => {
    const file = path.join(temp.dir, `ca-${String(keepEnd)}.pem`);
    writeFileSync(file, damaged(keepEnd));
    const result = await runCli(['status', '--url', url, '--token', 'h7-ca-token-0123456789abcdef', '--ca', file, '--json']);
    expect(result.code).toBe(1);
    expect(JSON.parse(result.stdout)).toEqual({ error: { code: 'BAD_CA', message: expect.stringMatching(message) } });
    expect(() => checkPeerCa(damaged(keepEnd))).toThrow(TypeError);
  });

  it('the certificate as it is, twice in one file, is read (and trusted)', async () => {
    const file = path.join(temp.dir, 'ca-twice.pem');
    writeFileSync(file, `${cert}${cert}`);
    const result = await runCli(['status', '--url', url, '--token', 'h7-ca-token-0123456789abcdef', '--ca', file, '--json']);
    expect(JSON.parse(result.stdout)).toMatchObject({ error: { code: 'PEER_BAD_ANSWER' } }); // TLS passed: the answer `{}` is no /status
    expect(checkPeerCa(`${cert}${cert}`)).toBe(`${cert}${cert}`);
  });
});
