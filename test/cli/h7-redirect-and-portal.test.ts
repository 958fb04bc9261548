import path from 'node:path';
import { tempDir } from '../helpers/temp';
import { recordingServer, runCli, type RecordingServer } from '../helpers/h7-cli';

const TOKEN = 'h7-venue-token-0123456789abcdef';

/**
 * A robotics venue's Wi-Fi: before login, every request is redirected to the
 * portal's page on another host, or answered with the portal's HTML itself.
 * The CLI must say so, and never send the token to the other host.
 */
describe('the CLI against a captive portal: a redirect is refused unfollowed, an HTML page is named', () => {
  let portal: RecordingServer;
  let redirecting: RecordingServer;
  let htmlPage: RecordingServer;
  let temp: ReturnType<typeof tempDir>;
  beforeAll(async () => {
    portal = await recordingServer((_req, res) => res.writeHead(200, { 'Content-Type': 'text/html' }).end('<html><body>Welcome to the venue Wi-Fi</body></html>'));
    redirecting = await recordingServer((_req, res) => res.writeHead(302, { Location: `${portal.url}/login?continue=${TOKEN}` }).end());
    htmlPage = await recordingServer((_req, res) => res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' }).end('<html><body>Log in to the venue Wi-Fi</body></html>'));
  });
  afterAll(async () => {
    await Promise.all([portal.close(), redirecting.close(), htmlPage.close()]);
  });
  beforeEach(() => {
    temp = tempDir();
  });
  afterEach(() => temp.cleanup());

  const commands: readonly [string, (url: string, dir: string) => string[]][] = [
    ['status', (url) => ['status', '--url', url]],
    ['sync', (url) => ['sync', '--url', url]],
    ['join', (url, dir) => ['join', '--from', url, '--db', path.join(dir, 'app.db')]],
  ];

  it.each(commands)('%s: a 302 to another host is PEER_BAD_ANSWER naming the redirect; the token reaches only the server asked', async (_name, args) => {
    const before = portal.requests.length;
    const result = await runCli([...args(redirecting.url, temp.dir), '--json'], { SYNC_TOKEN: TOKEN });
    expect(result.code).toBe(1);
    const { error } = JSON.parse(result.stdout) as { error: { code: string; message: string } };
    expect(error.code).toBe('PEER_BAD_ANSWER');
    expect(error.message).toContain(`a redirect (302) to ${portal.url}/login`);
    expect(error.message).toMatch(/captive portal/);
    expect(portal.requests.length).toBe(before); // not followed
    expect(result.stdout + result.stderr).not.toContain(TOKEN); // the Location's query held it: not shown
    expect(result.stderr).not.toMatch(/\n\s+at /); // no stack
  });

  it.each(commands)('%s: an HTML page answered with 200 is named as such (a captive portal?), not "no JSON"', async (_name, args) => {
    const result = await runCli([...args(htmlPage.url, temp.dir), '--json'], { SYNC_TOKEN: TOKEN });
    expect(result.code).toBe(1);
    const { error } = JSON.parse(result.stdout) as { error: { code: string; message: string } };
    expect(error.code).toBe('PEER_BAD_ANSWER');
    expect(error.message).toMatch(/with 200 and (an HTML page, not JSON|no JSON: an HTML page): a captive portal/);
  });
});
