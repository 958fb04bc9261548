import { connect } from '@nats-io/transport-node';
import { jetstreamManager } from '@nats-io/jetstream';
import request from 'supertest';
import { startDemoCluster, type DemoCluster, type DemoServer } from '../../sample-app/demo/cluster';
import type { TransportStatus } from '../../lib/peers/transport';
import { captureLog, type CapturedLog } from '../helpers/log';
import { describeWithNats, startNatsServer, type NatsServer } from '../helpers/nats-server';
import { TEST_TOKEN } from '../helpers/server';
import { tempDir } from '../helpers/temp';

const STREAM = 'CATCHUP';
const NATS_NAME = `nats:${STREAM}`;

function addTeam(server: DemoServer, number: number, name: string): void {
  server.db.prepare('INSERT INTO teams (id, number, name) VALUES (?, ?, ?)').run(`${name}-${number}`.replace(/\W/g, '-'), number, name);
}

function teamNames(server: DemoServer): string[] {
  return server.db.prepare('SELECT name FROM teams ORDER BY name').pluck().all() as string[];
}

async function natsStatus(server: DemoServer): Promise<TransportStatus | undefined> {
  const response = await request(server.url).get('/api/sync/status').set('Authorization', `Bearer ${TEST_TOKEN}`).expect(200);
  return (response.body as { transports: TransportStatus[] }).transports.find((transport) => transport.kind === 'nats');
}

describeWithNats('a catch-up over HTTP from a peer that lacks what the stream lost says so (real nats-server)', () => {
  let nats: NatsServer;
  let cluster: DemoCluster | undefined;
  const temp = tempDir('ess-h2-catchup-');
  const logs = new Map<string, CapturedLog>();

  beforeEach(async () => {
    nats = await startNatsServer();
  });
  afterEach(async () => {
    await cluster?.close();
    cluster = undefined;
    logs.clear();
    await nats.close();
  });
  afterAll(() => temp.cleanup());

  async function purge(): Promise<void> {
    const nc = await connect({ servers: nats.url });
    await (await jetstreamManager(nc)).streams.purge(STREAM);
    await nc.close();
  }

  /** A: NATS only. X: NATS, and D as its HTTP peer. D: HTTP only, and it never had A's rows. */
  async function start(name: string): Promise<[DemoServer, DemoServer, DemoServer]> {
    const transport = { nats: { servers: nats.url, stream: STREAM } };
    const loggerFor = (server: string): CapturedLog['logger'] => {
      const log = captureLog();
      logs.set(server, log);
      return log.logger;
    };
    cluster = await startDemoCluster(['A', 'X', 'D'], `${temp.dir}/${name}`, TEST_TOKEN, (index) => (index === 1 ? [2] : []), { transport: (index) => (index === 2 ? undefined : transport), loggerFor });
    return [...cluster.servers] as [DemoServer, DemoServer, DemoServer];
  }

  it('a server whose messages were purged before it read them, caught up by a peer that never had them: the round fails with CATCH_UP_INCOMPLETE, /status and the log say so', async () => {
    const [a, x] = await start('lacking');
    addTeam(a, 1, 'before the purge');
    expect(await a.sync.client?.syncPeer(NATS_NAME)).toMatchObject({ ok: true });
    await purge();
    addTeam(a, 2, 'after the purge');
    expect(await a.sync.client?.syncPeer(NATS_NAME)).toMatchObject({ ok: true });

    const round = await x.sync.client?.syncPeer(NATS_NAME);
    expect(teamNames(x)).toEqual(['after the purge']); // D had nothing of A's: the row before the purge is not here
    expect(round).toMatchObject({ ok: false, error: { code: 'CATCH_UP_INCOMPLETE' } });
    expect(round?.error?.message).toMatch(/could not apply messages 1-1 /);
    const status = await natsStatus(x);
    expect(status).toMatchObject({ state: 'failing', lastError: { code: 'CATCH_UP_INCOMPLETE' }, nats: { lastCatchUp: { ok: false } } });
    expect(logs.get('X')?.events('nats.catch_up_incomplete')).toEqual([expect.objectContaining({ transport: NATS_NAME, code: 'CATCH_UP_INCOMPLETE', from: 1, to: 1 })]);

    // It stays so, round after round, while no peer holds them.
    expect(await x.sync.client?.syncPeer(NATS_NAME)).toMatchObject({ ok: false, error: { code: 'CATCH_UP_INCOMPLETE' } });
  });

  it('a peer that read the stream that far answers so in /data/info, and a catch-up from it is complete', async () => {
    const [a] = await start('holding');
    addTeam(a, 1, 'on the stream');
    expect(await a.sync.client?.syncPeer(NATS_NAME)).toMatchObject({ ok: true });
    const info = await request(a.url).get('/api/sync/data/info').set('Authorization', `Bearer ${TEST_TOKEN}`).expect(200);
    expect((info.body as { nats?: unknown }).nats).toEqual([{ stream: STREAM, created: expect.any(String) as string, seq: 1 }]);
  });
});
