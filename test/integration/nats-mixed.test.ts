import { connect } from '@nats-io/transport-node';
import { jetstreamManager } from '@nats-io/jetstream';
import request from 'supertest';
import { startDemoCluster, type DemoCluster, type DemoServer } from '../../sample-app/demo/cluster';
import { tableDigests } from '../helpers/convergence';
import { describeWithNats, freePort, startNatsServer, type NatsServer } from '../helpers/nats-server';
import { TEST_TOKEN } from '../helpers/server';
import { tempDir } from '../helpers/temp';
import type { TransportStatus } from '../../lib/peers/transport';

const STREAM = 'MIXED';
const NATS_NAME = `nats:${STREAM}`;

function addTeam(server: DemoServer, number: number, name: string): void {
  server.db.prepare('INSERT INTO teams (id, number, name) VALUES (?, ?, ?)').run(`${name}-${number}`.replace(/\W/g, '-'), number, name);
}

function teamNames(server: DemoServer): string[] {
  return server.db.prepare('SELECT name FROM teams ORDER BY name').pluck().all() as string[];
}

async function natsRound(server: DemoServer): Promise<void> {
  expect(await server.sync.client?.syncPeer(NATS_NAME)).toMatchObject({ ok: true });
}

async function purge(nats: NatsServer): Promise<void> {
  const nc = await connect({ servers: nats.url });
  await (await jetstreamManager(nc)).streams.purge(STREAM);
  await nc.close();
}

async function statusOf(server: DemoServer): Promise<{ transports: TransportStatus[] }> {
  const response = await request(server.url).get('/api/sync/status').set('Authorization', `Bearer ${TEST_TOKEN}`).expect(200);
  return response.body as { transports: TransportStatus[] };
}

describeWithNats('mixed fleets: NATS and HTTP peers at once (a real nats-server)', () => {
  let nats: NatsServer;
  let cluster: DemoCluster | undefined;
  const temp = tempDir('ess-mixed-');

  beforeEach(async () => {
    nats = await startNatsServer();
  });
  afterEach(async () => {
    await cluster?.close();
    cluster = undefined;
    await nats.close();
  });
  afterAll(() => temp.cleanup());

  async function start(name: string, peersOf: (index: number) => number[], onNats: (index: number) => boolean): Promise<DemoServer[]> {
    const transport = { nats: { servers: nats.url, stream: STREAM } };
    cluster = await startDemoCluster(['A', 'B', 'X'], `${temp.dir}/${name}`, TEST_TOKEN, (index) => peersOf(index), { transport: (index) => (onNats(index) ? transport : undefined) });
    return [...cluster.servers];
  }

  it('an HTTP-only server reaches NATS-only servers through a server that has both, and back; repeats change nothing', async () => {
    // A: NATS and HTTP peer X; B: NATS only; X: HTTP peer A only.
    const [a, b, x] = (await start('bridge', (index) => (index === 0 ? [2] : index === 2 ? [0] : []), (index) => index !== 2)) as [DemoServer, DemoServer, DemoServer];
    addTeam(x, 1, 'from X');
    expect(await x.sync.syncNow()).toMatchObject([{ ok: true, rowsPushed: 1 }]);
    await natsRound(a);
    await natsRound(b);
    expect(teamNames(b)).toEqual(['from X']);
    addTeam(b, 2, 'from B');
    await natsRound(b);
    await natsRound(a);
    expect((await x.sync.syncNow())[0]).toMatchObject({ ok: true, rowsPulled: 1 });
    for (const server of [a, b, x]) expect(teamNames(server)).toEqual(['from B', 'from X']);
    const before = [a, b, x].map((server) => JSON.stringify(tableDigests(server.db)));
    for (const server of [a, b, x]) for (const result of await server.sync.syncNow()) expect(result.ok).toBe(true);
    expect([a, b, x].map((server) => JSON.stringify(tableDigests(server.db)))).toEqual(before);
    expect((await statusOf(a)).transports.map((t) => [t.kind, t.name])).toEqual([
      ['http', x.syncUrl],
      ['nats', NATS_NAME],
    ]);
    // The status page has a table of transports, and its script names NATS JetStream.
    expect((await request(a.url).get('/api/sync/ui').expect(200)).text).toContain('<div id="transports">');
    expect((await request(a.url).get('/api/sync/ui/status.js').expect(200)).text).toContain("'NATS JetStream'");
  });

  it('a server whose cursor is older than the stream (messages purged) catches up over HTTP from a peer, and /status says so', async () => {
    // A and B on NATS; X on NATS with A as its HTTP peer; X has never read the stream.
    const [a, b, x] = (await start('gap', (index) => (index === 2 ? [0] : []), () => true)) as [DemoServer, DemoServer, DemoServer];
    addTeam(a, 1, 'before the purge');
    await natsRound(a);
    await natsRound(b);
    await purge(nats);
    addTeam(a, 2, 'after the purge');
    await natsRound(a);
    await natsRound(x);
    expect(teamNames(x)).toEqual(['after the purge', 'before the purge']);
    await natsRound(b);
    for (const server of [a, b, x]) expect(teamNames(server)).toEqual(['after the purge', 'before the purge']);
    const transport = (await statusOf(x)).transports.find((t) => t.kind === 'nats');
    expect(transport).toMatchObject({ state: 'connected', lag: 0, nats: { lastCatchUp: { ok: true } } });
    expect(transport?.nats?.catchUp).toBeNull();
    expect(transport?.nats?.lastCatchUp?.reason).toMatch(/no longer has messages 1-1 /);
  });

  it('a server that took a new site id by itself (its history differed from a peer\'s view: a rewind) publishes on NATS under the new id', async () => {
    // A and B on NATS, each the other's HTTP peer (the handshake is where a rewind is found).
    const [a, b] = (await start('renamed', (index) => (index === 0 ? [1] : index === 1 ? [0] : []), (index) => index !== 2)) as [DemoServer, DemoServer, DemoServer];
    addTeam(a, 1, 'before');
    await natsRound(a);
    await natsRound(b);
    const old = a.sync.tracker?.siteId;
    expect(a.sync.tracker?.checkOwnHistory({ seq: 1_000_000, mark: null })).toMatchObject({ code: 'SITE_REWOUND', previous: old });
    addTeam(a, 2, 'after');
    await natsRound(a);
    await natsRound(b);
    expect(teamNames(b)).toEqual(['after', 'before']);
    // Before, the transport kept the subject and cursors of the id it was built with (where the other history's messages stop it with SAME_SITE_ID).
    const status = (await statusOf(a)).transports.find((t) => t.kind === 'nats');
    expect(status).toMatchObject({ state: 'connected', nats: { subject: `ess.${STREAM}.${a.sync.tracker?.siteId ?? ''}` } });
    expect(status?.lastError).toBeNull();
  });

  it('without an HTTP peer, a server behind the stream stops with STREAM_GAP, applies nothing, and /status and /metrics say so', async () => {
    const [a, b] = (await start('stuck', () => [], () => true)) as [DemoServer, DemoServer, DemoServer];
    addTeam(a, 1, 'lost to the purge');
    await natsRound(a);
    await purge(nats);
    addTeam(a, 2, 'after the purge');
    await natsRound(a);
    expect(await b.sync.client?.syncPeer(NATS_NAME)).toMatchObject({ ok: false, error: { code: 'STREAM_GAP' } });
    expect(teamNames(b)).toEqual([]);
    const status = (await statusOf(b)).transports.find((t) => t.kind === 'nats');
    expect(status).toMatchObject({ state: 'failing', position: 0, lastError: { code: 'STREAM_GAP' }, nats: { catchUp: { via: 'none' }, lastCatchUp: { ok: false } } });
    const metrics = await request(b.url).get('/api/sync/metrics').set('Authorization', `Bearer ${TEST_TOKEN}`).expect(200);
    expect(metrics.text).toContain(`express_sqlite_sync_nats_catching_up{transport="nats",name="${NATS_NAME}"} 1`);
  });
});

describeWithNats('a venue leaf node in front of the hub (the README configuration, real nats-servers)', () => {
  let hub: NatsServer;
  let venue: NatsServer;
  let cluster: DemoCluster | undefined;
  const temp = tempDir('ess-leaf-');

  beforeEach(async () => {
    const leafPort = await freePort();
    hub = await startNatsServer(
      `listen: 127.0.0.1:{PORT}\njetstream { store_dir: "{STORE}", domain: hub }\naccounts { FLEET: { jetstream: enabled, users: [ { user: venue, password: "venue-secret" }, { user: cloud, password: "cloud-secret" } ] } }\nleafnodes { listen: 127.0.0.1:${leafPort} }\n`,
    );
    venue = await startNatsServer(`listen: 127.0.0.1:{PORT}\nleafnodes { remotes: [ { url: "nats-leaf://venue:venue-secret@127.0.0.1:${leafPort}" } ] }\n`);
  });
  afterEach(async () => {
    await cluster?.close();
    cluster = undefined;
    await venue.close();
    await hub.close();
  });
  afterAll(() => temp.cleanup());

  it('laptops on the leaf and a cloud server on the hub share one stream in the hub domain', async () => {
    const onLeaf = { nats: { servers: venue.url, stream: STREAM, domain: 'hub' } };
    const onHub = { nats: { servers: hub.url, stream: STREAM, user: 'cloud', pass: 'cloud-secret' } };
    cluster = await startDemoCluster(['pit', 'stands', 'cloud'], temp.dir, TEST_TOKEN, () => [], { transport: (index) => (index === 2 ? onHub : onLeaf) });
    const [pit, stands, cloud] = cluster.servers as [DemoServer, DemoServer, DemoServer];
    addTeam(pit, 1, 'from the pit');
    addTeam(cloud, 2, 'from the cloud');
    for (const server of [pit, cloud, stands, pit]) await natsRound(server);
    for (const server of [pit, stands, cloud]) expect(teamNames(server)).toEqual(['from the cloud', 'from the pit']);
  });
});
