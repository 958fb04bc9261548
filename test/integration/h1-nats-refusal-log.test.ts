import { connect, headers } from '@nats-io/transport-node';
import { jetstream } from '@nats-io/jetstream';
import { FleetSeal, SEAL_HEADER } from '../../lib/peers/nats/fleet-seal';
import { captureLog, LEVEL, type CapturedLog } from '../helpers/log';
import { describeWithNats, startNatsServer, type NatsServer } from '../helpers/nats-server';
import { startPeers, type LivePeer } from '../helpers/peers';
import { TEST_TOKEN } from '../helpers/server';

const STREAM = 'REFUSALS';
const NATS_NAME = `nats:${STREAM}`;
const STRANGER = 'f'.repeat(32);

describeWithNats('the log of a server that passes over stream messages it cannot apply (real nats-server)', () => {
  let nats: NatsServer;
  let cluster: Awaited<ReturnType<typeof startPeers>>;
  const logs = new Map<string, CapturedLog>();

  beforeEach(async () => {
    nats = await startNatsServer();
    cluster = await startPeers(2, 'none', {
      transport: { nats: { servers: nats.url, stream: STREAM } },
      loggerFor: (name) => {
        const log = captureLog('info', { name });
        logs.set(name, log);
        return log.logger;
      },
    });
  });
  afterEach(async () => {
    await cluster.close();
    await nats.close();
  });

  /** Publishes on the stream as a plain NATS client would: the NATS credentials, not the sync token. */
  async function publish(subject: string, body: string, set: Record<string, string> = {}, sealWith?: string): Promise<void> {
    const nc = await connect({ servers: nats.url });
    try {
      const h = headers();
      for (const [name, value] of Object.entries(set)) h.set(name, value);
      const seal = sealWith === undefined ? undefined : new FleetSeal([sealWith]).seal({ subject, headers: h, data: Buffer.from(body) });
      if (seal !== undefined) h.set(SEAL_HEADER, seal);
      await jetstream(nc).publish(subject, body, { headers: h });
    } finally {
      await nc.close();
    }
  }

  it('logs each message refused with a warn line naming the code, the stream sequence and the subject (never its body)', async () => {
    const [a, b] = cluster.peers as [LivePeer, LivePeer];
    a.db.prepare('INSERT INTO teams (id, number, name) VALUES (?, ?, ?)').run('t1', 1, 'from A');
    expect(await a.sync.client?.syncPeer(NATS_NAME)).toMatchObject({ ok: true, rowsPushed: 1 });
    await publish(`ess.${STREAM}.${STRANGER}`, 'junk without a seal (a secret body)');
    const fingerprint = b.sync.tracker?.schema.fingerprint ?? '';
    // A fleet member's bug: sealed with the fleet's token and the right schema, but not a changeset.
    await publish(`ess.${STREAM}.${STRANGER}`, 'not json (a secret body)', { 'Nats-Msg-Id': `${STRANGER}:1-1`, 'Ess-Schema': fingerprint }, TEST_TOKEN);

    expect(await b.sync.client?.syncPeer(NATS_NAME)).toMatchObject({ ok: true, rowsPulled: 1 });
    expect(b.db.prepare('SELECT name FROM teams').pluck().all()).toEqual(['from A']);
    const refused = logs.get('server-1')?.events('nats.refused') ?? [];
    expect(refused).toEqual([
      expect.objectContaining({ level: LEVEL.warn, transport: NATS_NAME, seq: 2, subject: `ess.${STREAM}.${STRANGER}`, code: 'WRONG_TOKEN' }),
      expect.objectContaining({ level: LEVEL.warn, transport: NATS_NAME, seq: 3, subject: `ess.${STREAM}.${STRANGER}`, code: 'INVALID_CHANGESET' }),
    ]);
    expect(refused[0]?.msg).toMatch(/stream message 2 .*refused: .*not sealed with this fleet's sync token/);
    expect(logs.get('server-1')?.text()).not.toContain('secret body');
    expect(logs.get('server-1')?.text()).not.toContain(TEST_TOKEN);
  });

  it('refuses, counts and logs junk on a subject of the stream that is no site\'s (ess.<stream>.<not a site id>), as on a site\'s', async () => {
    const [a, b] = cluster.peers as [LivePeer, LivePeer];
    a.db.prepare('INSERT INTO teams (id, number, name) VALUES (?, ?, ?)').run('t1', 1, 'from A');
    expect(await a.sync.client?.syncPeer(NATS_NAME)).toMatchObject({ ok: true, rowsPushed: 1 });
    await publish(`ess.${STREAM}.not-a-site`, 'junk on a subject no site publishes on', { 'Ess-More': '1' });
    a.db.prepare('INSERT INTO teams (id, number, name) VALUES (?, ?, ?)').run('t2', 2, 'from A, after the junk');
    expect(await a.sync.client?.syncPeer(NATS_NAME)).toMatchObject({ ok: true, rowsPushed: 1 });
    expect(await b.sync.client?.syncPeer(NATS_NAME)).toMatchObject({ ok: true, rowsPulled: 2 });
    const status = b.sync.client?.transportStatuses().find((transport) => transport.kind === 'nats');
    expect(status).toMatchObject({ position: 3, lastError: { code: 'WRONG_TOKEN' }, nats: { messagesRefused: 1 } });
    expect(logs.get('server-1')?.events('nats.refused')).toEqual([expect.objectContaining({ level: LEVEL.warn, seq: 2, subject: `ess.${STREAM}.not-a-site`, code: 'WRONG_TOKEN' })]);
  });

  it("logs junk on a server's own subject, which its publisher passes over", async () => {
    const [a] = cluster.peers as [LivePeer];
    a.db.prepare('INSERT INTO teams (id, number, name) VALUES (?, ?, ?)').run('t1', 1, 'first');
    expect(await a.sync.client?.syncPeer(NATS_NAME)).toMatchObject({ ok: true });
    await publish(`ess.${STREAM}.${a.sync.tracker?.siteId ?? ''}`, 'junk on its own subject');
    a.db.prepare('INSERT INTO teams (id, number, name) VALUES (?, ?, ?)').run('t2', 2, 'second');
    expect(await a.sync.client?.syncPeer(NATS_NAME)).toMatchObject({ ok: true, rowsPushed: 1 });
    expect(logs.get('server-0')?.events('nats.refused')).toEqual([expect.objectContaining({ level: LEVEL.warn, transport: NATS_NAME, seq: 2, code: 'WRONG_TOKEN' })]);
  });
});
