import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { SyncClient } from '../../lib/peers/sync-client';
import { tableRows, trackedDb } from '../helpers/data';
import { captureLog } from '../helpers/log';
import { natsNodes } from '../helpers/nats-nodes';
import { describeWithNats } from '../helpers/nats-server';
import { TEST_TOKEN } from '../helpers/server';
import { eventually } from '../helpers/h9-stalled-client';

const STREAM = 'BACKGROUND';
const HOUR_MS = 3_600_000;

/**
 * A started client's NATS transport applies the stream's pages as they come,
 * between rounds. Those rows and the conflicts they parked were in no round's
 * result: no `sync.conflicts` line, and `rowsPulled` / `dataConflicts` (and so
 * the /metrics totals) stayed 0, while the row sat parked. The next round now
 * reports what moved since the last one, the background's pages included, once.
 */
describeWithNats('pages a NATS transport applies between rounds are reported by the next round (real nats-server)', () => {
  const nats = natsNodes();

  it('the rows and the conflict a background page brought are in the next round and its sync.conflicts line, and only there', async () => {
    const writer = nats.node({ stream: STREAM }, { tokens: [TEST_TOKEN] });
    const team = randomUUID();
    writer.db.prepare('INSERT INTO teams (id, name) VALUES (?, ?)').run(team, 'shared');
    await writer.transport.exchange();

    const reader = trackedDb();
    const log = captureLog();
    const client = new SyncClient({ logger: log.logger, peers: [], token: TEST_TOKEN, data: reader.tracker, transport: { nats: { servers: nats.server().url, stream: STREAM } } });
    try {
      const first = once(client, 'result');
      client.start(HOUR_MS); // one round now, the next in an hour: what comes meanwhile is applied in the background
      const [firstResult] = (await first) as [{ rowsPulled: number }];
      expect(firstResult).toMatchObject({ ok: true, rowsPulled: 1 });
      // Both servers file a report for one match, team and scout: a UNIQUE clash, parked on each.
      reader.db.prepare('INSERT INTO reports (id, team_id, match, scout) VALUES (?, ?, ?, ?)').run(randomUUID(), team, 'Q1', 'zed');
      writer.db.prepare('INSERT INTO reports (id, team_id, match, scout) VALUES (?, ?, ?, ?)').run(randomUUID(), team, 'Q1', 'zed');
      writer.db.prepare('INSERT INTO teams (id, name) VALUES (?, ?)').run(randomUUID(), 'another');
      await writer.transport.exchange();
      await eventually(30_000, () => tableRows(reader.db, 'teams').length === 2, 'the writer’s rows applied in the background');
      await eventually(30_000, () => reader.tracker.conflictCount() === 1, 'the clash parked in the background');
      expect(log.events('sync.conflicts')).toEqual([]);

      const next = await client.syncPeer(`nats:${STREAM}`);
      expect(next).toMatchObject({ ok: true, rowsPulled: 2, dataConflicts: 1 });
      expect(log.events('sync.conflicts')).toEqual([expect.objectContaining({ peer: `nats:${STREAM}`, dataConflicts: 1 })]);
      const again = await client.syncPeer(`nats:${STREAM}`);
      expect(again).toMatchObject({ ok: true, rowsPulled: 0, dataConflicts: 0 }); // reported once
    } finally {
      await client.stop(0);
      reader.cleanup();
    }
  });
});
