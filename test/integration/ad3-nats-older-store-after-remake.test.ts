import { cpSync, rmSync } from 'node:fs';
import path from 'node:path';
import { connect } from '@nats-io/transport-node';
import { DiscardPolicy, jetstreamManager, RetentionPolicy, StorageType } from '@nats-io/jetstream';
import { silentLogger } from '../../index';
import { startDemoCluster, type DemoCluster, type DemoServer } from '../../sample-app/demo/cluster';
import { describeWithNats, startNatsServer, type NatsServer } from '../helpers/nats-server';
import { TEST_TOKEN } from '../helpers/server';
import { tempDir } from '../helpers/temp';
import { addTeams, converged, pause, streamLastSeq } from '../helpers/nats-demo-teams';

const STREAM = 'AD3_OLDER';
const NATS_NAME = `nats:${STREAM}`;
/** 1.5 KB after each team's name: a page of 4 KiB holds two. */
const PADDING = ` ${'x'.repeat(1500)}`;

const cursor = (server: DemoServer, name: string): string | undefined => server.db.prepare('SELECT value FROM _sync_transport_cursors WHERE name = ?').pluck().get(name) as string | undefined;

/**
 * The stream made again by hand (the store wiped, the stream added again)
 * with room for one message only (`max_msgs` 1, `discard new`): a server
 * that notices it starts over on it, publishes its first page again, and
 * cannot publish the rest (the stream refuses them), so its published
 * cursor stays below the pages it had published in the stream before. The
 * same state as a server that noticed a stream made again and was stopped,
 * or lost NATS, before it had published everything there again.
 */
async function addTinyStream(nats: NatsServer): Promise<void> {
  const nc = await connect({ servers: nats.url });
  try {
    const jsm = await jetstreamManager(nc);
    await jsm.streams.add({ name: STREAM, subjects: [`ess.${STREAM}.*`], storage: StorageType.File, retention: RetentionPolicy.Limits, discard: DiscardPolicy.New, max_msgs: 1 });
  } finally {
    await nc.close();
  }
}

/**
 * The NATS store wiped (the stream made again) and then an older copy of it
 * put back. A server that noticed the stream made again started its
 * publishing over (published cursor 0) and had not published everything
 * there again when the older store came back, which holds the pages it
 * published in the stream's earlier life: its subject's last message there
 * lies beyond its published cursor. Before, it took that message, its own
 * page, for a clone's and stopped publishing for good with SAME_SITE_ID
 * ("the stream holds message … this database never sent"), though no other
 * process had its database.
 */
describeWithNats('ad3: an older copy of the NATS store put back after the stream was made again', () => {
  let nats: NatsServer;
  let temp: ReturnType<typeof tempDir>;
  const clusters = new Map<string, DemoCluster>();
  const start = async (name: string): Promise<DemoServer> => {
    const cluster = await startDemoCluster([name], temp.dir, TEST_TOKEN, () => [], {
      transport: { nats: { servers: nats.url, stream: STREAM, requestTimeoutMs: 2000, maxMessageBytes: 4096 } },
      loggerFor: () => silentLogger,
    });
    clusters.set(name, cluster);
    const server = cluster.servers[0] as DemoServer;
    server.sync.start(60_000);
    return server;
  };
  const stop = async (name: string): Promise<void> => {
    await clusters.get(name)?.close();
    clusters.delete(name);
  };
  const backup = (): string => path.join(temp.dir, 'nats-backup');
  const natsStatus = (server: DemoServer) => server.sync.client?.transportStatuses().find((transport) => transport.kind === 'nats');

  beforeEach(async () => {
    nats = await startNatsServer();
    temp = tempDir('ad3-nats-older-');
  });
  afterEach(async () => {
    for (const name of [...clusters.keys()]) await stop(name);
    await nats.close();
    temp.cleanup();
  });

  it('a server whose publishing started over goes on publishing, and everyone converges', async () => {
    const a = await start('ad3-a');
    const b = await start('ad3-b');
    // A's pages in the stream's first life: several messages (one page holds a few rows of 4 KiB at most).
    let written = 0;
    for (let batch = 0; batch < 4; batch += 1) {
      const before = await streamLastSeq(nats, STREAM);
      addTeams(a, 2, `first ${batch}`, PADDING);
      written += 2;
      while ((await streamLastSeq(nats, STREAM)) === before) await pause(20);
    }
    addTeams(b, 2, 'first b', PADDING);
    written += 2;
    await converged([a, b], written);
    await pause(300); // both read their own last pages
    await stop('ad3-a');
    await stop('ad3-b');

    // The operator keeps a copy of the store, wipes it, and makes the stream again by hand.
    await nats.stop();
    cpSync(nats.store, backup(), { recursive: true });
    rmSync(nats.store, { recursive: true, force: true });
    await nats.restart();
    await addTinyStream(nats);
    const a2 = await start('ad3-a');
    addTeams(a2, 2, 'while remade', PADDING);
    written += 2;
    const site = a2.db.prepare('SELECT site FROM _sync_sites WHERE id = 0').pluck().get() as string;
    const published = `nats:${STREAM}:published:${site}`;
    for (const deadline = Date.now() + 20_000; (await streamLastSeq(nats, STREAM)) === 0 || (natsStatus(a2)?.lastError ?? null) === null; ) {
      if (Date.now() > deadline) throw new Error(`A did not start over on the stream made again: ${await streamLastSeq(nats, STREAM)} ${JSON.stringify(natsStatus(a2))} ${cursor(a2, published)}`);
      await pause(50);
    }
    expect(Number(cursor(a2, published))).toBeLessThan(8); // A started over: its first page only is in the new stream
    await stop('ad3-a');

    // The older copy put back.
    await nats.stop();
    rmSync(nats.store, { recursive: true, force: true });
    cpSync(backup(), nats.store, { recursive: true });
    await nats.restart();
    const a3 = await start('ad3-a');
    const b3 = await start('ad3-b');
    addTeams(a3, 2, 'after', PADDING);
    addTeams(b3, 2, 'after b', PADDING);
    written += 4;
    const results = await Promise.all([a3, b3].map((server) => server.sync.client?.syncPeer(NATS_NAME)));
    expect(results.map((result) => result?.error?.message ?? null)).toEqual([null, null]);
    await converged([a3, b3], written);
    expect(natsStatus(a3)?.lastError ?? null).toBeNull();
  });
});
