import path from 'node:path';
import { tempDir } from '../helpers/temp';
import { recordingServer, runCli, type RecordingServer } from '../helpers/h7-cli';

/**
 * A server (or a proxy, or the Wi-Fi) that closes the connection in the middle
 * of its answer: it was reached, so "is the server running?" and "does it
 * speak HTTPS?" would send the operator the wrong way.
 */
describe('the CLI when the connection closes in the middle of an answer', () => {
  let server: RecordingServer;
  let temp: ReturnType<typeof tempDir>;
  beforeAll(async () => {
    server = await recordingServer((_req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': '1000' });
      res.write('{"peers":[', () => res.socket?.destroy()); // the first bytes reach the client, then the connection is gone
    });
  });
  afterAll(() => server.close());
  beforeEach(() => {
    temp = tempDir();
  });
  afterEach(() => temp.cleanup());

  it.each<[string, (url: string, dir: string) => string[]]>([
    ['status', (url) => ['status', '--url', url]],
    ['sync', (url) => ['sync', '--url', url]],
    ['join', (url, dir) => ['join', '--from', url, '--db', path.join(dir, 'app.db')]],
  ])('%s: ECONNRESET saying the answer began and was cut, not "is the server running? does it speak HTTPS?"', async (_name, args) => {
    const result = await runCli([...args(server.url, temp.dir), '--json'], { SYNC_TOKEN: 'h7-cut-token-0123456789abcdef' });
    expect(result.code).toBe(1);
    const { error } = JSON.parse(result.stdout) as { error: { code: string; message: string } };
    expect(error.code).toBe('ECONNRESET');
    expect(error.message).toMatch(/^the server began to answer, then the connection was closed \(.*\); try again$/);
    expect(error.message).not.toMatch(/is the server running|HTTPS/);
    expect(result.stderr).toBe(`express-sqlite-sync: ${error.message}\n`);
  });
});
