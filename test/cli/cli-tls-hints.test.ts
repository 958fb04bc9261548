import { execFile, execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { promisify } from 'node:util';
import { tempDir } from '../helpers/temp';

const run = promisify(execFile);
const CLI = path.resolve(__dirname, '..', '..', 'dist', 'bin', 'express-sqlite-sync.js');

/** Runs the built command-line tool; never rejects. */
async function cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [CLI, ...args], { env: { ...process.env, SYNC_TOKEN: '', SYNC_PEER_CA: '' } });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

/** A self-signed certificate for 127.0.0.1: its PEM file and its key's. */
function selfSigned(dir: string, name: string): { cert: string; key: string } {
  const cert = path.join(dir, `${name}.pem`);
  const key = path.join(dir, `${name}-key.pem`);
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', `/CN=${name}`, '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', key, '-out', cert], { stdio: 'ignore' });
  return { cert, key };
}

describe('the CLI against an HTTPS server: hints that fit what was given', () => {
  let temp: ReturnType<typeof tempDir>;
  let server: https.Server;
  let port: number;
  let other: string;
  let own: string;
  beforeAll(async () => {
    temp = tempDir();
    const served = selfSigned(temp.dir, 'served');
    own = served.cert;
    other = selfSigned(temp.dir, 'other').cert;
    server = https.createServer({ cert: readFileSync(served.cert), key: readFileSync(served.key) }, (_req, res) => res.end('{}'));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    temp.cleanup();
  });

  it('http:// to an HTTPS server: the connection cut asks whether it speaks HTTPS', async () => {
    const result = await cli('status', '--url', `http://127.0.0.1:${port}`, '--token', 'x', '--json');
    expect(result.code).toBe(1);
    const { error } = JSON.parse(result.stdout) as { error: { code: string; message: string } };
    expect(error.code).toBe('ECONNRESET');
    expect(error.message).toMatch(/does it speak HTTPS\? then use https:\/\//);
  });

  it('--ca with another CA: says the certificate is not signed by it, not "pass --ca"', async () => {
    const result = await cli('status', '--url', `https://127.0.0.1:${port}`, '--token', 'x', '--ca', other, '--json');
    expect(result.code).toBe(1);
    const { error } = JSON.parse(result.stdout) as { error: { code: string; message: string } };
    expect(error.message).toMatch(/not signed by the CA certificate of --ca/);
    expect(error.message).not.toMatch(/pass --ca <file>/);
  });

  it('without --ca: still says to pass one; with the right one, the server is reached', async () => {
    const without = await cli('status', '--url', `https://127.0.0.1:${port}`, '--token', 'x', '--json');
    expect((JSON.parse(without.stdout) as { error: { message: string } }).error.message).toMatch(/pass --ca <file>/);
    const right = await cli('status', '--url', `https://127.0.0.1:${port}`, '--token', 'x', '--ca', own, '--json');
    expect(right.stdout).not.toMatch(/--ca/); // past TLS: the stub's {} is a bad answer, not a certificate error
  });
});
