import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { tempDir } from '../helpers/temp';
import { recordingServer, runCli, type RecordingServer } from '../helpers/h7-cli';

/**
 * `--ca` says the operator means TLS; an `http://` URL beside it contradicts
 * that. Before, the CA was silently unused and the token went out
 * unencrypted. `SYNC_PEER_CA`, set once for every server, still applies
 * only to https:// ones.
 */
describe('--ca with an http:// URL is BAD_USAGE, before anything is sent', () => {
  let temp: ReturnType<typeof tempDir>;
  let server: RecordingServer;
  let ca: string;
  beforeAll(async () => {
    temp = tempDir();
    ca = path.join(temp.dir, 'ca.pem');
    execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1', '-subj', '/CN=h7-ca', '-keyout', path.join(temp.dir, 'ca.key'), '-out', ca], { stdio: 'ignore' });
    server = await recordingServer((_req, res) => res.writeHead(500).end());
  });
  afterAll(async () => {
    await server.close();
    temp.cleanup();
  });

  it.each<[string, (url: string) => string[], string]>([
    ['status', (url) => ['status', '--url', url], '--url'],
    ['sync', (url) => ['sync', '--url', url], '--url'],
    ['confirm-deletions', (url) => ['confirm-deletions', '--url', url], '--url'],
    ['join', (url) => ['join', '--from', url, '--db', path.join(temp.dir, 'never.db')], '--from'],
  ])('%s', async (_name, args, option) => {
    const before = server.requests.length;
    const result = await runCli([...args(server.url), '--ca', ca, '--token', 'h7-token-0123456789abcdef', '--json']);
    expect(result.code).toBe(1);
    expect(JSON.parse(result.stdout)).toEqual({
      error: { code: 'BAD_USAGE', message: `--ca is given, but ${option} is an http:// URL: no certificate would be checked and the token would travel unencrypted; use https:// (or leave --ca out for a plain-HTTP server)` },
    });
    expect(server.requests.length).toBe(before);
  });

  it('SYNC_PEER_CA set for the https:// servers does not stop a command for an http:// one', async () => {
    const before = server.requests.length;
    const result = await runCli(['status', '--url', server.url, '--token', 'h7-token-0123456789abcdef', '--json'], { SYNC_PEER_CA: ca });
    expect(JSON.parse(result.stdout)).toMatchObject({ error: { code: 'PEER_ERROR' } }); // asked, answered 500
    expect(server.requests.length).toBe(before + 1);
  });
});
