import { connect } from '@nats-io/transport-node';
import { jetstream } from '@nats-io/jetstream';
import request from 'supertest';
import { startDemoCluster, type DemoCluster, type DemoServer } from '../../sample-app/demo/cluster';
import { FleetSeal, SEAL_HEADER } from '../../lib/peers/nats/fleet-seal';
import { encodePage, ROWS_HEADER } from '../../lib/peers/nats/page-message';
import type { NatsStatus, TransportStatus } from '../../lib/peers/transport';
import { describeWithNats, startNatsServer, type NatsServer } from '../helpers/nats-server';
import { TEST_TOKEN } from '../helpers/server';
import { tempDir } from '../helpers/temp';

const STREAM = 'K4_INCOMPLETE';
const NATS_NAME = `nats:${STREAM}`;
const AUTH = { Authorization: `Bearer ${TEST_TOKEN}` };

function addTeam(server: DemoServer, id: string, number: number, name: string): void {
  server.db.prepare('INSERT INTO teams (id, number, name) VALUES (?, ?, ?)').run(id, number, name);
}

function teamNames(server: DemoServer): string[] {
  return server.db.prepare('SELECT name FROM teams ORDER BY name').pluck().all() as string[];
}

/**
 * A stream message whose page creates a row without every column (INCOMPLETE_ROW) makes the
 * reader catch up over HTTP first; when that catch-up succeeds and the rows are still missing
 * (no HTTP peer ever had them), the message holds its sender only, as any page that must wait:
 * the other senders' later messages are applied, /status names the held sender (state failing,
 * lastError and nats.held with INCOMPLETE_ROW), /metrics counts it. Without the hold, the second
 * refusal failed the whole delivery: every sender's later messages waited behind it.
 */
describeWithNats('a page still incomplete after a successful HTTP catch-up holds only its sender (real nats-server)', () => {
  let nats: NatsServer;
  let cluster: DemoCluster | undefined;
  const temp = tempDir('ess-k4-incomplete-');

  beforeEach(async () => {
    nats = await startNatsServer();
  });
  afterEach(async () => {
    await cluster?.close();
    cluster = undefined;
    await nats.close();
  });
  afterAll(() => temp.cleanup());

  /** A: NATS only. X: NATS, and D as its HTTP peer (its catch-up). D: HTTP only. S: alone, the hand-made page's sender. */
  async function start(): Promise<[DemoServer, DemoServer, DemoServer, DemoServer]> {
    const transport = { nats: { servers: nats.url, stream: STREAM } };
    cluster = await startDemoCluster(['A', 'X', 'D', 'S'], temp.dir, TEST_TOKEN, (index) => (index === 1 ? [2] : []), { transport: (index) => (index < 2 ? transport : undefined) });
    return [...cluster.servers] as [DemoServer, DemoServer, DemoServer, DemoServer];
  }

  /** S's first page, its new row cut down to one column, sealed with the fleet's token and published on S's subject. */
  async function publishIncompletePage(s: DemoServer): Promise<string> {
    const tracker = s.sync.tracker!;
    const page = tracker.readChanges(0, 100);
    const [change] = page.changes as Array<{ cells?: Record<string, unknown> }>;
    expect(change?.cells?.name).toBe('only on S');
    change!.cells = { name: change!.cells!.name };
    const message = encodePage(page, 0, tracker.currentSeq());
    expect(message.headers.get(ROWS_HEADER)).toBe('1');
    const subject = `ess.${STREAM}.${tracker.siteId}`;
    const seal = new FleetSeal([TEST_TOKEN]).seal({ subject, headers: message.headers, data: message.body });
    message.headers.set(SEAL_HEADER, seal ?? '');
    const nc = await connect({ servers: nats.url });
    try {
      await jetstream(nc).publish(subject, message.body, { headers: message.headers });
    } finally {
      await nc.close();
    }
    return subject;
  }

  async function natsStatus(server: DemoServer): Promise<TransportStatus & { nats: NatsStatus }> {
    const res = await request(server.url).get('/api/sync/status').set(AUTH).expect(200);
    return (res.body as { transports: Array<TransportStatus & { nats: NatsStatus }> }).transports.find((transport) => transport.kind === 'nats')!;
  }

  it("holds the sender after the catch-up: the other sender's later messages are applied, /status and /metrics name the hold", async () => {
    const [a, x, d, s] = await start();
    addTeam(a, 'a-1', 1, 'first from A');
    expect(await a.sync.client?.syncPeer(NATS_NAME)).toMatchObject({ ok: true, rowsPushed: 1 }); // the stream made, message 1
    addTeam(s, 's-1', 2, 'only on S');
    const subject = await publishIncompletePage(s); // message 2
    addTeam(a, 'a-2', 3, 'second from A');
    // Message 3. A reads S's page too: with no HTTP peer to catch up from, it holds S at once (its round says so).
    expect(await a.sync.client?.syncPeer(NATS_NAME)).toMatchObject({ ok: false, rowsPushed: 1, error: { code: 'INCOMPLETE_ROW' } });

    const round = await x.sync.client?.syncPeer(NATS_NAME);
    expect(round).toMatchObject({ ok: false, error: { code: 'INCOMPLETE_ROW' } });
    expect(round?.error?.message).toContain(`stream message 2 (${subject})`);
    // A's message after the held one is applied; S's row is not (no server of the fleet has it whole).
    expect(teamNames(x)).toEqual(['first from A', 'second from A']);
    expect(teamNames(d)).toEqual(['first from A']); // the catch-up's round with D, at message 2, went through (and pushed what X had)

    const status = await natsStatus(x);
    expect(status).toMatchObject({ state: 'failing', position: 1, lastError: { code: 'INCOMPLETE_ROW' } });
    expect(status.nats.lastCatchUp).toMatchObject({ ok: true });
    expect(status.nats.held).toEqual([expect.objectContaining({ subject, site: s.sync.tracker!.siteId, seq: 2, code: 'INCOMPLETE_ROW' })]);
    const peers = (await request(x.url).get('/api/sync/status').set(AUTH).expect(200)).body as { peers: Array<{ url: string; state: string }> };
    expect(peers.peers).toEqual([expect.objectContaining({ url: d.syncUrl, state: 'ok' })]);
    const metrics = (await request(x.url).get('/api/sync/metrics').set(AUTH).expect(200)).text;
    expect(metrics).toMatch(/^express_sqlite_sync_nats_held_senders\{[^}]*\} 1$/m);

    // Still held at the next round, and A's newer writes still flow past it.
    addTeam(a, 'a-3', 4, 'third from A');
    expect(await a.sync.client?.syncPeer(NATS_NAME)).toMatchObject({ rowsPushed: 1 });
    expect(await x.sync.client?.syncPeer(NATS_NAME)).toMatchObject({ ok: false, error: { code: 'INCOMPLETE_ROW' } });
    expect(teamNames(x)).toEqual(['first from A', 'second from A', 'third from A']);
    expect((await natsStatus(x)).nats.held).toEqual([expect.objectContaining({ subject, seq: 2, code: 'INCOMPLETE_ROW' })]);
  });
});
