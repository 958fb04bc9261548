import { randomUUID } from 'node:crypto';
import { SyncClient } from '../../lib/peers/sync-client';
import { tableRows, trackedDb } from '../helpers/data';
import { captureLog } from '../helpers/log';
import { natsNodes } from '../helpers/nats-nodes';
import { describeWithNats } from '../helpers/nats-server';
import { TEST_TOKEN } from '../helpers/server';

const STREAM = 'COUNTS';
const HOUR_MS = 3_600_000;

describeWithNats('a NATS round that fails reports what it moved before the failure (real nats-server)', () => {
  const nats = natsNodes();

  it('rows applied from the stream and rows published before a message that must wait are in the result and the sync.failed line', async () => {
    const [writer, ahead] = [nats.node({ stream: STREAM }, { tokens: [TEST_TOKEN] }), nats.node({ stream: STREAM }, { tokens: [TEST_TOKEN] })];
    const insert = 'INSERT INTO teams (id, name, number) VALUES (?, ?, ?)';
    writer.db.prepare(insert).run(randomUUID(), 'first', 1);
    writer.db.prepare(insert).run(randomUUID(), 'second', 2);
    await writer.transport.exchange();
    // A laptop an hour ahead when it wrote: its message waits on every server with a right clock.
    ahead.db.prepare(insert).run(randomUUID(), 'written an hour ahead', 3);
    ahead.db.prepare('UPDATE _sync_log SET hlc = hlc + ? WHERE seq = (SELECT max(seq) FROM _sync_log)').run(HOUR_MS * 1024);
    await ahead.transport.exchange();

    const reader = trackedDb();
    const log = captureLog();
    const client = new SyncClient({ logger: log.logger, peers: [], token: TEST_TOKEN, data: reader.tracker, transport: { nats: { servers: nats.server().url, stream: STREAM } } });
    try {
      reader.db.prepare(insert).run(randomUUID(), 'written by the reader', 4);
      const result = await client.syncPeer(`nats:${STREAM}`);
      expect(result).toMatchObject({ ok: false, error: { code: 'CLOCK_SKEW' }, rowsPulled: 2, rowsPushed: 1 });
      expect(tableRows(reader.db, 'teams')).toHaveLength(3); // the writer's two and its own: the round did move them
      expect(log.events('sync.failed')).toEqual([expect.objectContaining({ peer: `nats:${STREAM}`, code: 'CLOCK_SKEW', rowsPulled: 2, rowsPushed: 1 })]);
    } finally {
      await client.stop(0);
      reader.cleanup();
    }
  });
});
