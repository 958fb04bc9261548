import { existsSync } from 'node:fs';
import net from 'node:net';
import express from 'express';
import { enableCapture } from '../../lib/data/capture';
import { SnapshotSource } from '../../lib/data/snapshot-source';
import { sendSnapshot } from '../../routes/snapshot';
import { TEST_SCHEMA, tempDb } from '../helpers/data';
import { startServer, type TestServer } from '../helpers/server';
import { TABLES } from '../helpers/snapshot';

// Found by the fault-injection hunt: a joiner that stops taking a snapshot's
// bytes (its laptop left the Wi-Fi; here a client that stops reading) gives up
// after its peerTimeoutMs and pages instead, but the sender kept streaming to
// it for as long as the connection lived: the snapshot copy stayed in the OS
// temp folder, and every later joiner was served that same, ever older snapshot.
describe('a snapshot answer whose client stopped reading', () => {
  it('is abandoned after sendStallMs: the snapshot is released and the next joiner gets a fresh one', async () => {
    const data = tempDb(TEST_SCHEMA);
    const tracker = enableCapture(data.db, { tables: TABLES });
    const insert = data.db.prepare('INSERT INTO teams (id, name, number) VALUES (?, ?, ?)');
    // Far more than the socket buffers of 127.0.0.1 hold, so the answer cannot end by itself.
    data.db.transaction(() => {
      for (let i = 0; i < 40_000; i += 1) insert.run(`t-${i}`, `${i}`.padEnd(1000, 'x'), i);
    })();
    const snapshots = new SnapshotSource(data.db, tracker.info().tables);
    const app = express().get('/snapshot', (req, res, next) => {
      sendSnapshot({ snapshots, tracker, sendStallMs: 300 }, req, res).catch(next);
    });
    let server: TestServer | undefined;
    let client: net.Socket | undefined;
    try {
      server = await startServer(app);
      const started = new Promise<void>((resolve, reject) => {
        client = net.connect(Number(new URL(server?.url ?? '').port), '127.0.0.1', () => client?.write('GET /snapshot HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n'));
        client.once('data', () => {
          client?.pause(); // and never reads again
          resolve();
        });
        client.once('error', reject);
      });
      await started;
      const shared = await snapshots.acquire(); // overlaps the stalled answer: the same snapshot
      const stalledFile = shared.file;
      shared.release();
      while (existsSync(stalledFile)) await new Promise((resolve) => setTimeout(resolve, 50));
      insert.run('after', 'written after the stall', 1);
      const next = await snapshots.acquire();
      try {
        expect(next.file).not.toBe(stalledFile);
        expect(next.seq).toBeGreaterThan(shared.seq);
      } finally {
        next.release();
      }
    } finally {
      client?.destroy();
      await server?.close();
      data.cleanup();
    }
  });
});
