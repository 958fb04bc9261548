import request from 'supertest';
import { createSyncRouter } from '../../index';
import { REFUSAL_LINES_PER_WINDOW } from '../../lib/refusal-log-limit';
import express from 'express';
import { captureLog, LEVEL } from '../helpers/log';
import { startServer, TEST_TOKEN, type TestServer } from '../helpers/server';

const FLOOD = 40;

describe('request.refused under a flood of unauthenticated requests', () => {
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
});
