import net from 'node:net';
import express from 'express';
import { cutStalledBody } from '../../middleware/stall';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { dbDigest, trackedDb } from '../helpers/data';
import { eventually, serverSockets, warningsLogger } from '../helpers/h9-stalled-client';
import { makeApp, startServer, TEST_TOKEN, type TestServer } from '../helpers/server';
import { tempDir } from '../helpers/temp';

const STALL_MS = 500;

/** Sends a POST whose JSON body stops after `sent` of its `declared` bytes, and then nothing (a client gone half-open mid-body). */
function stalledPost(port: number, target: string, body: Buffer, sent: number): net.Socket {
  const socket = net.connect(port, '127.0.0.1', () => {
    socket.write(`POST ${target} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${TEST_TOKEN}\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n`);
    socket.write(body.subarray(0, sent));
  });
  socket.on('error', () => {}); // a reset when the server cuts it is expected
  return socket;
}

// `POST /data/changes` and `POST /data/conflicts/:id/resolve` cut a body that
// stopped coming after sendStallMs; the router's other JSON bodies did not: a
// half-open client held its socket for Node's 5-minute requestTimeout. Now
// every POST of the router that reads a JSON body is cut the same way.
describe('a JSON body that stopped coming, on every route of the router that reads one', () => {
  let data: ReturnType<typeof trackedDb>;
  let files: ReturnType<typeof tempDir>;
  let server: TestServer;
  let log: ReturnType<typeof warningsLogger>;

  beforeEach(async () => {
    data = trackedDb();
    files = tempDir('aa4-stall-');
    mkdirSync(path.join(files.dir, 'config'));
    log = warningsLogger();
    const app = makeApp({ database: data.db, tables: ['teams', 'reports'], roots: { config: path.join(files.dir, 'config') }, sendStallMs: STALL_MS, logger: log.logger });
    server = await startServer(app);
  });

  afterEach(async () => {
    await server.close();
    data.cleanup();
    files.cleanup();
  });

  const body = Buffer.from(JSON.stringify({ site: '0'.repeat(32), roots: { config: { 'event.json': null } }, peer: 'http://127.0.0.1:1/api/sync', padding: 'x'.repeat(4000) }));

  // The log names the path as the app was asked it, the router's mount point included, as request.refused does.
  it.each(['/api/sync/files/settled', '/api/sync/deletions/confirm', '/api/sync/data/changes', '/api/sync/data/conflicts/0123456789abcdef/resolve'])(
    'POST %s is abandoned after sendStallMs: its connection closed, logged once, nothing written',
    async (target) => {
      const before = dbDigest(data.db);
      const connections = serverSockets(server.server);
      const client = stalledPost(server.port, target, body, Math.floor(body.length / 2));
      try {
        await eventually(STALL_MS * 10, () => connections.sockets.length > 0 && connections.allClosed(), 'the server closing the stalled body');
        expect(log.warnings).toEqual([`abandoned POST ${target}: the client sent no bytes for ${STALL_MS} ms`]);
        expect(dbDigest(data.db)).toBe(before);
      } finally {
        client.destroy();
      }
    },
  );
});

// The watch ends with the body: `POST /deletions/confirm` syncs the peers concerned before it answers,
// which may take longer than sendStallMs without a byte on the connection; that is never cut.
describe('a JSON body received whole, then slow work before the answer', () => {
  it('is not cut, however long the work takes', async () => {
    const log = warningsLogger();
    const app = express();
    app.post('/slow', cutStalledBody(express.json(), STALL_MS / 5, log.logger), (req, res) => {
      setTimeout(() => res.json({ got: req.body as unknown }), STALL_MS);
    });
    const server = await startServer(app);
    try {
      const answer = await fetch(`${server.url}/slow`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ a: 1 }) });
      expect(answer.status).toBe(200);
      expect(await answer.json()).toEqual({ got: { a: 1 } });
      const empty = await fetch(`${server.url}/slow`, { method: 'POST' });
      expect(empty.status).toBe(200);
      expect(log.warnings).toEqual([]);
    } finally {
      await server.close();
    }
  });
});
