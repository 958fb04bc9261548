import express from 'express';
import { createSyncRouter } from '../../index';
import { REFUSAL_PATH_CHARS } from '../../lib/refusal-log';
import { captureLog } from '../helpers/log';
import { startServer, TEST_TOKEN, type TestServer } from '../helpers/server';

const AUTH = { Authorization: `Bearer ${TEST_TOKEN}` };

/**
 * A caller without a token sent paths of 14 KiB (under the router's URL limit), each refused 401: the
 * refusal kept the whole path, so 50 of them made `/status` 700 KB (the status page reads it every few
 * seconds) and each `request.refused` line 14 KB. The path is kept up to 300 characters, then `…`.
 */
describe('refusals of very long paths', () => {
  let server: TestServer;
  let log: ReturnType<typeof captureLog>;
  beforeEach(async () => {
    log = captureLog();
    server = await startServer(express().use('/api/sync', createSyncRouter({ token: TEST_TOKEN, logger: log.logger })));
  });
  afterEach(() => server.close());

  it('keeps a path of at most 300 characters in /status and the log line; a short one whole', async () => {
    const long = `/api/sync/${'a'.repeat(13_000)}`;
    for (let i = 0; i < 50; i += 1) expect((await fetch(`${server.url}${long}${i}`)).status).toBe(401);
    expect((await fetch(`${server.url}/api/sync/status`, { headers: { Authorization: 'Bearer a-wrong-token-0123456789' } })).status).toBe(401);
    const answer = await fetch(`${server.url}/api/sync/status`, { headers: AUTH });
    const text = await answer.text();
    expect(text.length).toBeLessThan(50 * 1024);
    const { refusals } = JSON.parse(text) as { refusals: Array<{ path: string }> };
    expect(refusals).toHaveLength(50);
    expect(refusals[0]?.path).toBe('/api/sync/status');
    expect(refusals[1]?.path).toBe(`${long.slice(0, REFUSAL_PATH_CHARS)}…`);
    const lines = log.events('request.refused');
    expect(lines.length).toBeGreaterThan(0);
    expect(lines[0]?.path).toBe(`${long.slice(0, REFUSAL_PATH_CHARS)}…`);
  });
});
