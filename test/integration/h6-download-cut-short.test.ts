import http from 'node:http';
import { truncateSync } from 'node:fs';
import path from 'node:path';
import { makeRoots, put } from '../helpers/file-roots';
import { makeApp, startServer, TEST_TOKEN, type TestServer } from '../helpers/server';
import { tempDir } from '../helpers/temp';

// Found by the fault hunt: a file cut short in place while it was served (a
// log rotated by truncation, `copytruncate`) ended its answer early, as if
// complete, under a Content-Length it never reached: the connection stayed
// open for keep-alive, so the client waited for bytes that never came, until
// the server's keep-alive timeout or its own peerTimeoutMs (the peer then
// taken for unreachable). The server now cuts the connection at once.
const BIG_BYTES = 32 * 1024 * 1024;

describe('a file cut short while it is downloaded', () => {
  let temp: ReturnType<typeof tempDir>;
  let server: TestServer;
  let roots: Record<string, string>;
  let agent: http.Agent;
  beforeEach(async () => {
    temp = tempDir('ess-h6-cut-short-');
    roots = makeRoots(path.join(temp.dir, 'data'));
    server = await startServer(makeApp({ roots }));
    server.server.keepAliveTimeout = 600_000; // only the answer itself may end the wait
    agent = new http.Agent({ keepAlive: true });
  });
  afterEach(async () => {
    agent.destroy();
    await server.close();
    temp.cleanup();
  });

  it('cuts the connection, so the client learns at once that the answer is incomplete', async () => {
    const log = put(roots.logs as string, 'robot.log', Buffer.alloc(BIG_BYTES, 'log line\n'));
    const outcome = await new Promise<{ readonly received: number; readonly how: string }>((resolve) => {
      const bound = setTimeout(() => resolve({ received: -1, how: 'still waiting after 10 s' }), 10_000);
      const done = (how: string, received: number): void => {
        clearTimeout(bound);
        resolve({ received, how });
      };
      http.get(`${server.url}/api/sync/files/download?path=logs/robot.log`, { agent, headers: { Authorization: `Bearer ${TEST_TOKEN}` } }, (response) => {
        let received = 0;
        response.pause(); // the answer waits in the socket's buffers while the file is cut short
        truncateSync(log, 100);
        response.on('data', (chunk: Buffer) => (received += chunk.length));
        response.on('end', () => done('ended', received));
        response.on('aborted', () => done('aborted', received));
        response.on('error', () => done('aborted', received));
        response.resume();
      });
    });
    expect(outcome.how).toBe('aborted');
    expect(outcome.received).toBeLessThan(BIG_BYTES);
  });
});
