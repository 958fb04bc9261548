import express from 'express';
import { enableCapture } from '../../lib/data/capture';
import type { ChangeTracker } from '../../lib/data/change-tracker';
import { SnapshotSource } from '../../lib/data/snapshot-source';
import { createDataRouter } from '../../routes/data';
import { TEST_SCHEMA, tempDb } from '../helpers/data';
import { eventually, serverSockets, slowClient, stalledClient, warningsLogger } from '../helpers/h9-stalled-client';
import { startServer, type TestServer } from '../helpers/server';
import { TABLES } from '../helpers/snapshot';

/** Long against the slow client's pauses (a tenth of it), so a loaded machine's late timers never make them look like a stall. */
const STALL_MS = 1000;
const ROWS = 5000;

// A page of changes (MBs at the largest limit) sent to a client gone
// half-open was held, with its socket, until the operating system gave up on
// the link; only snapshots were abandoned. Now every data answer is, after
// the data routes' sendStallMs (which the snapshot also takes from them).
describe('a data answer whose client stopped reading', () => {
  let data: ReturnType<typeof tempDb>;
  let tracker: ChangeTracker;
  let server: TestServer;
  let log: ReturnType<typeof warningsLogger>;

  beforeEach(async () => {
    data = tempDb(TEST_SCHEMA);
    tracker = enableCapture(data.db, { tables: TABLES });
    const insert = data.db.prepare('INSERT INTO teams (id, name, number) VALUES (?, ?, ?)');
    // A page far larger than the socket buffers of 127.0.0.1 hold, so the answer cannot end by itself.
    data.db.transaction(() => {
      for (let i = 0; i < ROWS; i += 1) insert.run(`t-${i}`, `${i}`.padEnd(2000, 'x'), i);
    })();
    log = warningsLogger();
    const snapshots = new SnapshotSource(data.db, tracker.info().tables);
    const router = createDataRouter({ tracker, maxChangesetBytes: 1024 * 1024, changesPageSize: ROWS, maxChangesPageSize: ROWS, snapshots, readAhead: false, sendStallMs: STALL_MS, logger: log.logger });
    server = await startServer(express().use('/data', router));
  });

  afterEach(async () => {
    await server.close();
    data.cleanup();
  });

  it.each(['/data/changes', '/data/snapshot'])('%s is abandoned after sendStallMs: its connection closed, logged once', async (target) => {
    const connections = serverSockets(server.server);
    const client = await stalledClient(server.port, target);
    try {
      await eventually(30_000, () => connections.allClosed(), 'the server closing the stalled answer');
      await eventually(30_000, () => log.warnings.length > 0, 'the warning');
      expect(log.warnings).toEqual([`abandoned GET ${target}: the client took no bytes for ${STALL_MS} ms`]);
    } finally {
      client.destroy();
    }
  });

  it('never cuts a page to a slow client that keeps taking bytes', async () => {
    const answer = await slowClient(server.port, '/data/changes', 1024 * 1024, STALL_MS / 10);
    const body = JSON.parse(answer.subarray(answer.indexOf('\r\n\r\n') + 4).toString('utf8')) as { readonly changes: readonly unknown[] };
    expect(body.changes).toHaveLength(ROWS);
    expect(log.warnings).toEqual([]);
  });
});
