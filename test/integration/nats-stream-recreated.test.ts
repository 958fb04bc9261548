import { randomUUID } from 'node:crypto';
import { connect } from '@nats-io/transport-node';
import { jetstreamManager } from '@nats-io/jetstream';
import { tableDigests } from '../helpers/convergence';
import { describeWithNats, startNatsServer, type NatsServer } from '../helpers/nats-server';
import { startPeers, type LivePeer } from '../helpers/peers';
import type { TransportStatus } from '../../lib/peers/transport';

const STREAM = 'REMADE';

const pause = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

function addTeam(peer: LivePeer, name: string): void {
  peer.db.prepare('INSERT INTO teams (id, number, name) VALUES (?, ?, ?)').run(randomUUID(), 1, name);
}

function teamNames(peer: LivePeer): string[] {
  return peer.db.prepare('SELECT name FROM teams ORDER BY name').pluck().all() as string[];
}

/** Waits (background publishing and consuming only, no rounds asked for) until both servers hold `names` and equal tables. */
async function converged(peers: readonly LivePeer[], names: readonly string[]): Promise<void> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const held = peers.map(teamNames);
    const digests = peers.map((peer) => JSON.stringify(tableDigests(peer.db)));
    if (held.every((list) => JSON.stringify(list) === JSON.stringify(names)) && digests.every((digest) => digest === digests[0])) return;
    if (Date.now() > deadline) throw new Error(`not converged: ${JSON.stringify(held)}`);
    await pause(100);
  }
}

async function deleteStream(nats: NatsServer): Promise<void> {
  const nc = await connect({ servers: nats.url });
  await (await jetstreamManager(nc)).streams.delete(STREAM);
  await nc.close();
}

async function streamLastSeq(nats: NatsServer): Promise<number> {
  const nc = await connect({ servers: nats.url });
  const info = await (await jetstreamManager(nc)).streams.info(STREAM);
  await nc.close();
  return info.state.last_seq;
}

describeWithNats('a NATS stream deleted (nats stream rm) while the servers stay connected', () => {
  let nats: NatsServer;
  let cluster: Awaited<ReturnType<typeof startPeers>>;

  beforeEach(async () => {
    nats = await startNatsServer();
    cluster = await startPeers(2, 'none', { transport: { nats: { servers: nats.url, stream: STREAM, requestTimeoutMs: 2000 } } });
  });
  afterEach(async () => {
    await cluster.close();
    await nats.close();
  });

  it('is made again by a running server; both start over on it and converge, and the lag reads the new stream', async () => {
    const [a, b] = cluster.peers as [LivePeer, LivePeer];
    for (const peer of cluster.peers) peer.sync.start(60_000);
    addTeam(a, 'a0');
    addTeam(b, 'b0');
    await converged([a, b], ['a0', 'b0']);
    await deleteStream(nats);
    addTeam(a, 'a1');
    addTeam(b, 'b1');
    await converged([a, b], ['a0', 'a1', 'b0', 'b1']);
    // The stream's facts are read again every 2 s: wait for the read that sees the new stream (a loaded machine may take longer), not a fixed 2.5 s.
    const last = await streamLastSeq(nats);
    const natsStatus = (): TransportStatus | undefined => a.sync.client?.transportStatuses().find((transport) => transport.kind === 'nats');
    for (const deadline = Date.now() + 30_000; natsStatus()?.nats?.streamLastSeq !== last && Date.now() < deadline; ) await pause(50);
    const status = natsStatus();
    expect(status?.nats?.streamLastSeq).toBe(last);
    expect(status?.lag).toBe(0);
    expect(status?.state).toBe('connected');
  });
});
