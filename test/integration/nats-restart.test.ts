import { randomUUID } from 'node:crypto';
import { tableDigests } from '../helpers/convergence';
import { describeWithNats, startNatsServer, type NatsServer } from '../helpers/nats-server';
import { startPeers, type LivePeer } from '../helpers/peers';

const STREAM = 'RESTART';
const NATS_NAME = `nats:${STREAM}`;

const pause = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Writes `batches` transactions of `rows` teams on every server, a few ms apart; returns how many rows were written. */
async function writeBatches(peers: readonly LivePeer[], batches: number, rows: number, tag: string): Promise<number> {
  let written = 0;
  for (let batch = 0; batch < batches; batch += 1) {
    for (const peer of peers) {
      const insert = peer.db.prepare('INSERT INTO teams (id, number, name) VALUES (?, ?, ?)');
      peer.db.transaction(() => {
        for (let row = 0; row < rows; row += 1) insert.run(randomUUID(), row, `${tag} ${peer.index}.${batch}.${row}`);
      })();
      written += rows;
    }
    await pause(5);
  }
  return written;
}

function teamCounts(peers: readonly LivePeer[]): number[] {
  return peers.map((peer) => peer.db.prepare('SELECT count(*) FROM teams').pluck().get() as number);
}

/** Exchanges through NATS until every server holds `expected` teams and the same tables, or the deadline passes (a loaded CI machine: 120 s). */
async function settle(peers: readonly LivePeer[], expected: number): Promise<void> {
  const deadline = Date.now() + 120_000;
  for (;;) {
    const results = await Promise.all(peers.map((peer) => peer.sync.client?.syncPeer(NATS_NAME)));
    const counts = teamCounts(peers);
    const digests = peers.map((peer) => JSON.stringify(tableDigests(peer.db)));
    if (results.every((result) => result?.ok === true) && counts.every((count) => count === expected) && digests.every((digest) => digest === digests[0])) return;
    if (Date.now() > deadline) {
      const transports = peers.map((peer) => peer.sync.client?.transportStatuses().find((transport) => transport.kind === 'nats'));
      throw new Error(`not converged: counts ${counts.join(', ')} of ${expected}; results ${JSON.stringify(results.map((r) => r?.error))}; transports ${JSON.stringify(transports)}`);
    }
    await pause(200);
  }
}

describeWithNats('nats-server killed with SIGKILL mid-sync and restarted', () => {
  let nats: NatsServer;
  let cluster: Awaited<ReturnType<typeof startPeers>>;

  beforeEach(async () => {
    nats = await startNatsServer();
    cluster = await startPeers(3, 'none', { transport: { nats: { servers: nats.url, stream: STREAM, requestTimeoutMs: 2000 } } });
  });
  afterEach(async () => {
    await cluster.close();
    await nats.close();
  });

  it('every server converges, no row is lost, integrity_check ok, and the transport reports itself connected again', async () => {
    const { peers } = cluster;
    for (const peer of peers) peer.sync.start(60_000); // NATS publishes and applies in the background; no HTTP peers at all
    let written = await writeBatches(peers, 10, 20, 'before');
    // A large transaction in flight when the server dies.
    written += await writeBatches(peers.slice(0, 1), 1, 5000, 'bulk');
    await pause(20);
    await nats.kill9();
    written += await writeBatches(peers, 10, 20, 'while down');
    await nats.restart();
    written += await writeBatches(peers, 10, 20, 'after');

    await settle(peers, written);
    for (const peer of peers) {
      expect(peer.db.pragma('integrity_check', { simple: true })).toBe('ok');
      const status = peer.sync.client?.transportStatuses().find((transport) => transport.kind === 'nats');
      expect(status).toMatchObject({ name: NATS_NAME, state: 'connected', lag: 0 });
      expect(status?.nats?.publishedSeq).toBe(peer.sync.tracker?.info().seq);
    }
  }, 180_000);
});
