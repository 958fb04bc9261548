import request from 'supertest';
import { createSyncRouter } from '../../index';
import { REFUSAL_LINES_PER_WINDOW } from '../../lib/refusal-log-limit';
import { REFUSAL_PATH_CHARS } from '../../lib/refusal-log';
import express from 'express';
import { captureLog, LEVEL } from '../helpers/log';
import { startServer, TEST_TOKEN, type TestServer } from '../helpers/server';

const FLOOD = 40;

describe('request.refused under a flood of unauthenticated requests, and of very long paths', () => {
  let server: TestServer;
  let log: ReturnType<typeof captureLog>;
  beforeEach(async () => {
    log = captureLog();
    server = await startServer(express().use('/api/sync', createSyncRouter({ token: TEST_TOKEN, logger: log.logger })));
  });
  afterEach(() => server.close());

  // Each 401 wrote a warn line: a scanner on the LAN could fill the log.
  it(`logs at most ${REFUSAL_LINES_PER_WINDOW} lines per address and code a minute; every answer and count stays`, async () => {
    for (let i = 0; i < FLOOD; i += 1) {
      await request(server.url).get('/api/sync/status').set({ Authorization: 'Bearer a-wrong-token-0123456789' }).expect(401);
    }
    const refused = log.events('request.refused');
    expect(refused).toHaveLength(REFUSAL_LINES_PER_WINDOW);
    expect(refused.every((line) => line.level === LEVEL.warn && line.code === 'UNAUTHORIZED' && line.from === '127.0.0.1')).toBe(true);
    expect(refused.at(-1)).toMatchObject({ omittedUntil: expect.stringMatching(/^\d{4}-\d\d-\d\dT/) });
    expect(refused.at(-1)?.msg).toContain('left out of the log');
    expect(refused.slice(0, -1).some((line) => 'omittedUntil' in line)).toBe(false);

    // Another code of the same address is still logged.
    await request(server.url).post('/api/sync/files/upload').set({ Authorization: `Bearer ${TEST_TOKEN}`, 'Sec-Fetch-Site': 'cross-site' }).expect(403);
    expect(log.events('request.refused').at(-1)).toMatchObject({ status: 403, code: 'CROSS_SITE_REFUSED' });

    const auth = { Authorization: `Bearer ${TEST_TOKEN}` };
    const metrics = await request(server.url).get('/api/sync/metrics').set(auth).expect(200);
    expect(metrics.text).toContain(`express_sqlite_sync_refusals_total{status="401",code="UNAUTHORIZED"} ${FLOOD}`);
    const status = await request(server.url).get('/api/sync/status').set(auth).expect(200);
    expect((status.body as { refusals: unknown[] }).refusals).toHaveLength(FLOOD + 1);
  });

  // A caller without a token sent paths of 14 KiB (under the router's URL limit), each refused 401: the
  // refusal kept the whole path, so 50 of them made `/status` 700 KB (the status page reads it every few
  // seconds) and each `request.refused` line 14 KB. The path is kept up to 300 characters, then `…`.
  it('keeps a path of at most 300 characters in /status and the log line; a short one whole', async () => {
    const long = `/api/sync/${'a'.repeat(13_000)}`;
    for (let i = 0; i < 50; i += 1) expect((await fetch(`${server.url}${long}${i}`)).status).toBe(401);
    expect((await fetch(`${server.url}/api/sync/status`, { headers: { Authorization: 'Bearer a-wrong-token-0123456789' } })).status).toBe(401);
    const answer = await fetch(`${server.url}/api/sync/status`, { headers: { Authorization: `Bearer ${TEST_TOKEN}` } });
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
