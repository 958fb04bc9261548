import http from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import request from 'supertest';
import { createSyncRouter } from '../../index';
import { captureLog, LEVEL } from '../helpers/log';
import { TEST_TOKEN } from '../helpers/server';

/**
 * A server listening on all interfaces (`::`, the sample app without HOST) sees an IPv4 caller as
 * `::ffff:127.0.0.1`; the refusal names the caller as it connected, `127.0.0.1`.
 */
describe('request.refused names an IPv4 caller by its IPv4 address', () => {
  it('on a dual-stack listener, in the log and in /status refusals', async () => {
    const log = captureLog();
    const app = express().use('/api/sync', createSyncRouter({ token: TEST_TOKEN, logger: log.logger }));
    const server = http.createServer(app);
    await new Promise<void>((resolve) => server.listen(0, '::', resolve));
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      await request(url).get('/api/sync/status').set({ Authorization: 'Bearer a-wrong-token-0123456789' }).expect(401);
      expect(log.events('request.refused')).toEqual([expect.objectContaining({ level: LEVEL.warn, status: 401, from: '127.0.0.1' })]);
      const status = await request(url).get('/api/sync/status').set({ Authorization: `Bearer ${TEST_TOKEN}` }).expect(200);
      expect((status.body as { refusals: Array<{ from: string }> }).refusals.map((refusal) => refusal.from)).toEqual(['127.0.0.1']);
    } finally {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});
