import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { TEST_TOKEN } from '../helpers/server';
import { runCli } from '../helpers/h7-cli';

/**
 * A server's error text reaches the terminal as text (found by a hostile
 * probe, helper v2): a text-direction control in it (U+202E turns the rest of
 * the line around, so `ok ‮GNIRWO` reads "ok WORNING") is shown as U+FFFD, as
 * docs/API.md says, in the CLI's one failure line as in its other output.
 */
describe('the CLI prints a server\'s error message without text-direction controls', () => {
  let server: http.Server;
  let url: string;
  beforeAll(async () => {
    server = http.createServer((_req, res) => {
      res.writeHead(409, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ error: { code: 'SOMETHING', message: 'ok \u202eGNIRWO\u202c tail \u2066x\u2069' } }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it.each([['status'], ['sync']])('%s --url', async (command) => {
    const result = await runCli([command, '--url', url], { SYNC_TOKEN: TEST_TOKEN });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('ok \ufffdGNIRWO\ufffd tail \ufffdx\ufffd');
    expect(result.stderr).not.toMatch(/[\u202a-\u202e\u2066-\u2069]/);
  });
});
