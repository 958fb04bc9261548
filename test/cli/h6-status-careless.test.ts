import { DIRECTION_CONTROLS, hostileStatus, peerErrorCodes } from '../helpers/h6-hostile-status';
import { recordingServer, runCli, type RecordingServer } from '../helpers/h7-cli';

/**
 * The CLI's `status` of a server with 50 peers, in every code a peer can be in (API.md), whose names
 * and messages hold markup, text-direction controls and 10 kB of text: one line per peer (and its
 * warning and file error lines), each code shown, no direction control passed to the terminal.
 */
describe('express-sqlite-sync status: 50 peers, every error code, hostile and huge texts', () => {
  const codes = peerErrorCodes();
  let server: RecordingServer;
  beforeAll(async () => {
    const body = JSON.stringify(hostileStatus(codes));
    server = await recordingServer((_req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(body);
    });
  });
  afterAll(() => server.close());

  it('prints each peer on its line with its code, and no text-direction control', async () => {
    const result = await runCli(['status', '--url', `${server.url}/api/sync`], { SYNC_TOKEN: 'h6-careless-token-0123456789' });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const peerLines = result.stdout.split('\n').filter((line) => line.startsWith('- '));
    expect(peerLines).toHaveLength(51); // 50 peers and the NATS transport
    peerLines.slice(0, 50).forEach((line, i) => expect(line).toContain(`: ${codes[i % codes.length]}: `));
    expect(result.stdout).toMatch(/warning: UNKNOWN_ROOT r/);
    expect(DIRECTION_CONTROLS.test(result.stdout)).toBe(false);
    expect(result.stdout).toContain('potpal tip');
  });
});
