import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { tempDir } from '../helpers/temp';
import { recordingServer, runCli, type RecordingServer } from '../helpers/h7-cli';

/**
 * `SYNC_PEER_CA` is set once for every server and used for `https://` ones only.
 * Before, it was read (and a missing or non-PEM file refused as BAD_CA) for an
 * `http://` URL too, so a broken CA stopped commands that use no TLS at all.
 * An `https://` URL still refuses it, before anything is sent.
 */
describe('a broken SYNC_PEER_CA does not stop a command for an http:// server', () => {
  let temp: ReturnType<typeof tempDir>;
  let server: RecordingServer;
  const token = 'ap4-token-0123456789abcdef';
  const broken = (): Array<[string, string]> => [
    ['missing', path.join(temp.dir, 'no-such-ca.pem')],
    ['not PEM', path.join(temp.dir, 'not-pem.txt')],
  ];
  beforeAll(async () => {
    temp = tempDir('ap4-ca-');
    writeFileSync(path.join(temp.dir, 'not-pem.txt'), 'this is not a certificate\n');
    server = await recordingServer((_req, res) => res.writeHead(500).end());
  });
  afterAll(async () => {
    await server.close();
    temp.cleanup();
  });

  it.each(['missing', 'not PEM'])('status --url http://… with a %s SYNC_PEER_CA asks the server', async (which) => {
    const ca = broken().find(([name]) => name === which)?.[1] ?? '';
    const before = server.requests.length;
    const result = await runCli(['status', '--url', server.url, '--token', token, '--json'], { SYNC_PEER_CA: ca });
    expect(JSON.parse(result.stdout)).toMatchObject({ error: { code: 'PEER_ERROR' } }); // asked, answered 500
    expect(server.requests.length).toBe(before + 1);
  });

  it('join --from http://… with a missing SYNC_PEER_CA asks the server, and writes no database', async () => {
    const db = path.join(temp.dir, 'joined.db');
    const before = server.requests.length;
    const result = await runCli(['join', '--from', server.url, '--db', db, '--token', token, '--json'], { SYNC_PEER_CA: broken()[0]?.[1] ?? '' });
    expect(JSON.parse(result.stdout)).toMatchObject({ error: { code: 'PEER_ERROR' } });
    expect(server.requests.length).toBeGreaterThan(before);
    expect(existsSync(db)).toBe(false);
  });

  it.each(['missing', 'not PEM'])('an https:// URL with a %s SYNC_PEER_CA is still BAD_CA, before anything is sent', async (which) => {
    const ca = broken().find(([name]) => name === which)?.[1] ?? '';
    const before = server.requests.length;
    const result = await runCli(['status', '--url', server.url.replace('http:', 'https:'), '--token', token, '--json'], { SYNC_PEER_CA: ca });
    expect(result.code).toBe(1);
    expect(JSON.parse(result.stdout)).toEqual({ error: { code: 'BAD_CA', message: expect.stringContaining(ca) as string } });
    expect(server.requests.length).toBe(before);
  });
});
