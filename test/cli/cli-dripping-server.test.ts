import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { TEST_TOKEN } from '../helpers/server';
import { runCli } from '../helpers/h7-cli';

/**
 * A server (or a link) that drips its answer, a byte now and then (found by a hostile probe, helper w2):
 * `status` and `confirm-deletions` waited for ever, each byte restarting the timeout; they give up with
 * PEER_TIMEOUT, as docs/API.md says (under 1 KiB per timeout).
 */
describe('the CLI against a server that drips its answer', () => {
  let server: http.Server;
  let url: string;
  const timers = new Set<NodeJS.Timeout>();
  beforeAll(async () => {
    server = http.createServer((_req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.write('{');
      const timer = setInterval(() => res.write(' '), 300);
      timers.add(timer);
      res.on('close', () => (clearInterval(timer), timers.delete(timer)));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    for (const timer of timers) clearInterval(timer);
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it.each([['status'], ['confirm-deletions']])('%s gives up with PEER_TIMEOUT', async (command) => {
    const result = await runCli([command, '--url', url, '--timeout', '1500', '--json'], { SYNC_TOKEN: TEST_TOKEN });
    expect(result.code).toBe(1);
    expect(JSON.parse(result.stdout)).toMatchObject({ error: { code: 'PEER_TIMEOUT' } });
  }, 30_000);
});
