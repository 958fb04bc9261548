import net from 'node:net';
import express from 'express';
import { enableCapture } from '../../lib/data/capture';
import type { ChangeTracker } from '../../lib/data/change-tracker';
import { createDataRouter } from '../../routes/data';
import { dbDigest, TEST_SCHEMA, tempDb, trackedDb } from '../helpers/data';
import { eventually, serverSockets, warningsLogger } from '../helpers/h9-stalled-client';
import { startServer, type TestServer } from '../helpers/server';
import { TABLES } from '../helpers/snapshot';

const STALL_MS = 1000;

/** Sends a POST whose body stops after `sent` of its `declared` bytes, and then nothing (a pusher gone half-open mid-page). */
function stalledPush(port: number, target: string, body: Buffer, sent: number): net.Socket {
  const socket = net.connect(port, '127.0.0.1', () => {
    socket.write(`POST ${target} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n`);
    socket.write(body.subarray(0, sent));
  });
  socket.on('error', () => {}); // a reset when the server cuts it is expected
  return socket;
}

// A push whose pusher went half-open mid-body (Wi-Fi lost) held its socket and
// the body read so far (up to maxChangesetBytes, 16 MiB) until Node's
// requestTimeout, 5 minutes, gave up: uploads and every long answer were cut
// after their stall bound, a JSON push was not. Now it is cut after the data
// routes' sendStallMs, logged once, and nothing of it is applied.
describe('a push whose body stopped coming', () => {
  let data: ReturnType<typeof tempDb>;
  let tracker: ChangeTracker;
  let server: TestServer;
  let log: ReturnType<typeof warningsLogger>;
  let page: Buffer;

  beforeEach(async () => {
    data = tempDb(TEST_SCHEMA);
    tracker = enableCapture(data.db, { tables: TABLES });
    const source = trackedDb();
    try {
      const insert = source.db.prepare('INSERT INTO teams (id, name, number) VALUES (?, ?, ?)');
      source.db.transaction(() => {
        for (let i = 0; i < 200; i += 1) insert.run(`t-${i}`, `team ${i}`, i);
      })();
      page = Buffer.from(JSON.stringify(source.tracker.readCompactChanges(0, 1000)));
    } finally {
      source.cleanup();
    }
    log = warningsLogger();
    const router = createDataRouter({ tracker, maxChangesetBytes: 1024 * 1024, changesPageSize: 500, maxChangesPageSize: 5000, snapshots: undefined, sendStallMs: STALL_MS, logger: log.logger });
    server = await startServer(express().use('/data', router));
  });

  afterEach(async () => {
    await server.close();
    data.cleanup();
  });

  it.each(['/data/changes', '/data/conflicts/0123456789abcdef/resolve'])('POST %s is abandoned after sendStallMs: its connection closed, logged once, nothing applied', async (target) => {
    const before = dbDigest(data.db);
    const connections = serverSockets(server.server);
    const client = stalledPush(server.port, target, page, Math.floor(page.length / 2));
    try {
      await eventually(10_000, () => connections.sockets.length > 0 && connections.allClosed(), 'the server closing the stalled push');
      expect(log.warnings).toEqual([`abandoned POST ${target}: the client sent no bytes for ${STALL_MS} ms`]);
      expect(dbDigest(data.db)).toBe(before);
    } finally {
      client.destroy();
    }
  });
});
