import { randomUUID } from 'node:crypto';
import { connect } from '@nats-io/transport-node';
import { jetstreamManager } from '@nats-io/jetstream';
import { FleetSeal } from '../../lib/peers/nats/fleet-seal';
import { NatsConsumer } from '../../lib/peers/nats/nats-consumer';
import { NatsCursors, type StreamChange } from '../../lib/peers/nats/nats-cursors';
import { NatsLink } from '../../lib/peers/nats/nats-link';
import { resolveNatsOptions } from '../../lib/peers/nats/nats-options';
import { NatsTransport } from '../../lib/peers/nats/nats-transport';
import { trackedDb, type TempDb } from '../helpers/data';
import { describeWithNats, startNatsServer, type NatsServer } from '../helpers/nats-server';
import type { ChangeTracker } from '../../lib/data/change-tracker';

const STREAM = 'REMADE_MID_APPLY';

type Db = TempDb & { readonly tracker: ChangeTracker };

function addTeam(db: Db, name: string): void {
  db.db.prepare('INSERT INTO teams (id, name, number) VALUES (?, ?, ?)').run(randomUUID(), name, 1);
}

function teamNames(db: Db): string[] {
  return db.db.prepare('SELECT name FROM teams ORDER BY name').pluck().all() as string[];
}

describeWithNats('a NATS stream made again while a consumer applies a page of the old one', () => {
  let nats: NatsServer;
  let link: NatsLink;
  const dbs: Db[] = [];

  function database(): Db {
    const created = trackedDb();
    dbs.push(created);
    return created;
  }

  /** Publishes one page per name from a fresh site, then stops that site's transport. */
  async function publishFromNewSite(names: readonly string[]): Promise<void> {
    const site = database();
    const transport = new NatsTransport(resolveNatsOptions({ servers: nats.url, stream: STREAM }), { data: site.tracker, peerTimeoutMs: 10_000 });
    for (const name of names) {
      addTeam(site, name);
      await transport.exchange();
    }
    await transport.close();
  }

  async function deleteStream(): Promise<void> {
    const nc = await connect({ servers: nats.url });
    await (await jetstreamManager(nc)).streams.delete(STREAM);
    await nc.close();
  }

  beforeEach(async () => {
    nats = await startNatsServer();
  });
  afterEach(async () => {
    await link.close();
    for (const each of dbs.splice(0)) each.cleanup();
    await nats.close();
  });

  // The interleaving a nats-server restarted with an empty store caused about one run in two:
  // a page's apply waits for this server's own publish (beforeApply), the transport's prepare
  // meanwhile finds the stream made again and starts the cursor over, and the page, of the old
  // stream, then saved its old sequence as the position in the new one: the new stream's first
  // messages were never read, while /status said lag 0.
  it('saves nothing for the old stream, and the next delivery reads the new stream from its start', async () => {
    await publishFromNewSite(['old 1', 'old 2', 'old 3']);
    const reader = database();
    link = new NatsLink(resolveNatsOptions({ servers: nats.url, stream: STREAM }));
    const cursors = new NatsCursors(reader.tracker, STREAM, reader.tracker.siteId);
    expect(cursors.reconcile(await link.ensureStream())).toBe('first-use');
    let remade: StreamChange | undefined;
    const consumer: NatsConsumer = new NatsConsumer(link, reader.tracker, cursors, STREAM, {
      seal: new FleetSeal([]),
      catchUp: () => Promise.resolve(false),
      catchUpGap: () => Promise.resolve('failed' as const),
      passedWithout: () => undefined,
      handled: () => undefined,
      beforeApply: async () => {
        if (remade !== undefined) return;
        await deleteStream();
        await publishFromNewSite(['new 1']); // makes the stream again: message 1 of the new stream
        remade = cursors.reconcile(await link.ensureStream()); // what the transport's prepare does
        consumer.stop(); // as a reconnect does
      },
    });

    await consumer.run();
    expect(remade).toBe('recreated');
    expect(cursors.appliedSeq()).toBe(0);
    expect(teamNames(reader)).toEqual([]);

    const running = consumer.run();
    const deadline = Date.now() + 20_000;
    while (consumer.position < 1 && Date.now() < deadline) await consumer.nextProgress(100);
    consumer.stop();
    await running;
    expect(teamNames(reader)).toEqual(['new 1']);
    expect(reader.tracker.transportCursor(`nats:${STREAM}:applied`)).toMatch(/^1 [0-9a-f]{32}:1-1$/); // the sequence and the id of the message there
  });
});
