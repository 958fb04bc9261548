import net from 'node:net';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { tempDir } from '../helpers/temp';
import { runCli } from '../helpers/h7-cli';

const TOKEN = 'ac2-cli-token-0123456789abcdef';

/**
 * A server that answers bytes that are not HTTP (a device between, a broken link,
 * `--url` naming another kind of server): the sync client's /status, status page
 * and log said `PEER_BAD_ANSWER` "answered something that is not HTTP", while the
 * CLI, asked about the same address, said Node's parser code (`HPE_INVALID_CONSTANT`)
 * and its words alone ("Parse Error: Expected HTTP/, RTSP/ or ICE/"), with no hint.
 */
describe('the CLI against an answer that is not HTTP: PEER_BAD_ANSWER, as /status says', () => {
  let garbage: net.Server;
  let url: string;
  let temp: ReturnType<typeof tempDir>;
  beforeAll(async () => {
    garbage = net.createServer((socket) => {
      socket.on('error', () => undefined);
      socket.once('data', () => socket.end('GARBAGE\u0000 not http at all\r\n\r\n'));
    });
    await new Promise<void>((resolve) => garbage.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(garbage.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise<void>((resolve) => garbage.close(() => resolve()));
  });
  beforeEach(() => {
    temp = tempDir();
  });
  afterEach(() => temp.cleanup());

  const commands: readonly [string, (dir: string) => string[]][] = [
    ['status', () => ['status', '--url', url]],
    ['sync', () => ['sync', '--url', url]],
    ['confirm-deletions', () => ['confirm-deletions', '--url', url]],
    ['join', (dir) => ['join', '--from', url, '--db', path.join(dir, 'app.db')]],
  ];

  it.each(commands)('%s --json: PEER_BAD_ANSWER, saying the answer is not HTTP and what to check; exit code 1', async (_name, args) => {
    const result = await runCli([...args(temp.dir), '--json'], { SYNC_TOKEN: TOKEN });
    expect(result.code).toBe(1);
    const { error } = JSON.parse(result.stdout) as { error: { code: string; message: string } };
    expect(error.code).toBe('PEER_BAD_ANSWER');
    expect(error.message).toMatch(/answered something that is not HTTP \(Parse Error: Expected HTTP\//);
    expect(error.message).toMatch(/--url|--from/);
    expect(result.stderr).toContain(error.message);
  });
});
