import { randomUUID } from 'node:crypto';
import { cpSync, rmSync } from 'node:fs';
import path from 'node:path';
import { connect } from '@nats-io/transport-node';
import { DiscardPolicy, jetstreamManager, RetentionPolicy, StorageType } from '@nats-io/jetstream';
import { NatsTransport } from '../../lib/peers/nats/nats-transport';
import { resolveNatsOptions } from '../../lib/peers/nats/nats-options';
import { trackedDb } from '../helpers/data';
import { tempDir } from '../helpers/temp';
import { describeWithNats, startNatsServer, type NatsServer } from '../helpers/nats-server';

const STREAM = 'AD4_REMADE';

/**
 * The stream made again (deleted, added by hand with room for one message)
 * while a server is connected and prepared: its next flush meets the new
 * stream before the cursors were reconciled with it (its publish is refused
 * for its expected subject sequence, and the subject is checked again, as
 * after a lost tail). How far it published in the stream's earlier life must
 * be kept for that life, as when it noticed the stream made again first: when
 * an older copy of the store (that earlier life) is put back, its own last
 * page there is its own, not a clone's.
 */
describeWithNats('ad4: the stream made again while a server runs, then an older copy of the store put back', () => {
  let nats: NatsServer;
  let temp: ReturnType<typeof tempDir>;
  const transports: NatsTransport[] = [];

  beforeEach(async () => {
    nats = await startNatsServer();
    temp = tempDir('ad4-nats-remade-');
  });
  afterEach(async () => {
    for (const transport of transports.splice(0)) await transport.close();
    await nats.close();
    temp.cleanup();
  });

  it('its own page from the earlier life is taken in: no SAME_SITE_ID', async () => {
    const a = trackedDb();
    try {
      const transport = (): NatsTransport => {
        const made = new NatsTransport(resolveNatsOptions({ servers: nats.url, stream: STREAM, maxMessageBytes: 4096, requestTimeoutMs: 2000 }), { data: a.tracker, peerTimeoutMs: 10_000 });
        transports.push(made);
        return made;
      };
      const addTeams = (count: number, tag: string): void => {
        const insert = a.db.prepare('INSERT INTO teams (id, name, number) VALUES (?, ?, ?)');
        a.db.transaction(() => {
          for (let row = 0; row < count; row += 1) insert.run(randomUUID(), `${tag}.${row} ${'x'.repeat(1500)}`, row); // a page of 4 KiB holds two
        })();
      };
      const published = (): number => Number(a.tracker.transportCursor(`nats:${STREAM}:published:${a.tracker.siteId}`));

      const first = transport();
      addTeams(8, 'first');
      await first.exchange();
      const reached = published();
      expect(reached).toBe(a.tracker.info().seq);
      await first.close();

      const backup = path.join(temp.dir, 'nats-backup');
      await nats.stop();
      cpSync(nats.store, backup, { recursive: true });
      await nats.restart();

      const second = transport();
      await second.exchange(); // connected and prepared on the stream's first life
      const nc = await connect({ servers: nats.url });
      try {
        const jsm = await jetstreamManager(nc);
        await jsm.streams.delete(STREAM);
        await jsm.streams.add({ name: STREAM, subjects: [`ess.${STREAM}.*`], storage: StorageType.File, retention: RetentionPolicy.Limits, discard: DiscardPolicy.New, max_msgs: 1 });
      } finally {
        await nc.close();
      }
      addTeams(2, 'while remade');
      await expect(second.exchange()).rejects.toBeDefined(); // the new stream takes its first page only
      expect(published()).toBeLessThan(reached);
      await second.close();

      await nats.stop();
      rmSync(nats.store, { recursive: true, force: true });
      cpSync(backup, nats.store, { recursive: true });
      await nats.restart();

      const third = transport();
      const result = await third.exchange().then(
        () => null,
        (error: unknown) => (error as { code?: string }).code ?? String(error),
      );
      expect(result).toBeNull();
      expect(published()).toBe(a.tracker.info().seq);
    } finally {
      for (const transport of transports.splice(0)) await transport.close();
      a.cleanup();
    }
  });
});
