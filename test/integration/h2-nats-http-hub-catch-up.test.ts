import { connect } from '@nats-io/transport-node';
import request from 'supertest';
import { jetstreamManager } from '@nats-io/jetstream';
import { startDemoCluster, type DemoCluster, type DemoServer } from '../../sample-app/demo/cluster';
import { describeWithNats, startNatsServer, type NatsServer } from '../helpers/nats-server';
import { TEST_TOKEN } from '../helpers/server';
import { tempDir } from '../helpers/temp';

const STREAM = 'HUB';
const NATS_NAME = `nats:${STREAM}`;

/**
 * A and C read and write a NATS stream and sync files and data over HTTP only with hub B, which runs no NATS.
 * The stream loses A's message before C reads it; C catches up over HTTP through B, which had pulled
 * everything from A: C gets the row, yet its round failed with CATCH_UP_INCOMPLETE, since B answered no
 * `nats` coverage (it reads no stream). Now a server also answers the coverage of an HTTP peer it pulled
 * everything from since that peer's answer, so the warning comes only when no peer holds what was lost.
 */
describeWithNats('a catch-up through an HTTP-only hub that holds what the stream lost (real nats-server)', () => {
  let nats: NatsServer;
  let cluster: DemoCluster | undefined;
  const temp = tempDir('ess-h2-hub-');
  beforeAll(async () => {
    nats = await startNatsServer();
  });
  afterAll(async () => {
    await cluster?.close();
    await nats.close();
    temp.cleanup();
  });

  it('is complete: the round is ok, no CATCH_UP_INCOMPLETE, and B answers the stream coverage it relays', async () => {
    const transport = { nats: { servers: nats.url, stream: STREAM } };
    cluster = await startDemoCluster(['A', 'B', 'C'], temp.dir, TEST_TOKEN, (index) => (index === 1 ? [0, 2] : [1]), { transport: (index) => (index === 1 ? undefined : transport) });
    const [a, b, c] = cluster.servers as [DemoServer, DemoServer, DemoServer];
    a.db.prepare('INSERT INTO teams (id, number, name) VALUES (?, ?, ?)').run('t1', 1, 'from A');
    expect(await a.sync.client?.syncPeer(NATS_NAME)).toMatchObject({ ok: true });
    expect(await b.sync.client?.syncPeer(a.syncUrl)).toMatchObject({ ok: true });
    const nc = await connect({ servers: nats.url });
    await (await jetstreamManager(nc)).streams.purge(STREAM);
    await nc.close();
    const round = await c.sync.client?.syncPeer(NATS_NAME);
    expect(c.db.prepare('SELECT name FROM teams').pluck().all()).toEqual(['from A']);
    expect(round?.error).toBeUndefined();
    expect(round).toMatchObject({ ok: true });
    const info = await request(b.url).get('/api/sync/data/info').set('Authorization', `Bearer ${TEST_TOKEN}`).expect(200);
    expect((info.body as { nats?: unknown }).nats).toEqual([{ stream: STREAM, created: expect.any(String) as string, seq: 1 }]);
  });
});
