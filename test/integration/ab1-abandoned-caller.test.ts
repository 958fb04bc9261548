import http from 'node:http';
import { mkdirSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import express from 'express';
import { createSyncRouter } from '../../index';
import { captureLog, type CapturedLog } from '../helpers/log';
import { TEST_TOKEN } from '../helpers/server';
import { tempDir } from '../helpers/temp';

/** Polls `check` every 50 ms until it is true, for at most `ms`. */
async function until(check: () => boolean, ms: number): Promise<void> {
  const end = Date.now() + ms;
  while (!check() && Date.now() < end) await new Promise((resolve) => setTimeout(resolve, 50));
}

/**
 * A server listening on all interfaces (`::`, the sample app without HOST) sees an IPv4 caller
 * as `::ffff:127.0.0.1`. `request.refused` named it `127.0.0.1`, but `answer.abandoned` named the
 * same caller `::ffff:127.0.0.1`: a search of the log by `from` missed the abandoned answers.
 */
describe('answer.abandoned names an IPv4 caller as request.refused does', () => {
  let temp: ReturnType<typeof tempDir>;
  let server: http.Server;
  let log: CapturedLog;
  let port: number;
  beforeEach(async () => {
    temp = tempDir('ess-ab1-caller-');
    const uploads = path.join(temp.dir, 'uploads');
    mkdirSync(uploads);
    writeFileSync(path.join(uploads, 'big.bin'), Buffer.alloc(32 << 20, 7)); // more than the socket buffers hold
    log = captureLog();
    const app = express().use('/api/sync', createSyncRouter({ token: TEST_TOKEN, roots: { uploads }, sendStallMs: 300, logger: log.logger }));
    server = http.createServer(app);
    await new Promise<void>((resolve) => server.listen(0, '::', resolve));
    port = (server.address() as net.AddressInfo).port;
  });
  afterEach(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    temp.cleanup();
  });

  it('on a dual-stack listener, a download its IPv4 client stopped reading', async () => {
    const client = net.connect(port, '127.0.0.1');
    client.on('error', () => undefined);
    try {
      client.write(`GET /api/sync/files/download?path=uploads/big.bin HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${TEST_TOKEN}\r\n\r\n`);
      client.pause(); // takes no byte: the answer stalls
      await until(() => log.events('answer.abandoned').length > 0, 20_000);
      expect(log.events('answer.abandoned')).toEqual([expect.objectContaining({ method: 'GET', from: '127.0.0.1', stallMs: 300 })]);
    } finally {
      client.destroy();
    }
  });
});
