import request from 'supertest';
import { startPeers, type LivePeer } from '../helpers/peers';
import { TEST_TOKEN } from '../helpers/server';

const AUTH = { Authorization: `Bearer ${TEST_TOKEN}` };

interface Figures {
  readonly seq: number;
  readonly peers: ReadonlyArray<{ readonly url: string; readonly undeliveredChanges: number | null }>;
}

async function undeliveredOn(server: LivePeer, peer: LivePeer): Promise<{ status: number | null | undefined; metric: number | undefined; seq: number }> {
  const status = (await request(server.url).get('/api/sync/status').set(AUTH).expect(200)).body as Figures;
  const text = (await request(server.url).get('/api/sync/metrics').set(AUTH).expect(200)).text;
  const line = text.split('\n').find((candidate) => candidate.startsWith(`express_sqlite_sync_peer_undelivered_changes{peer="${peer.syncUrl}"}`));
  return { status: status.peers.find((entry) => entry.url === peer.syncUrl)?.undeliveredChanges, metric: line === undefined ? undefined : Number(line.split(' ').at(-1)), seq: status.seq };
}

describe('changes not yet delivered to a peer', () => {
  // A peer's own changes, pushed here by its round, were counted as "not yet delivered" to it:
  // "5 changes not yet delivered" to a laptop that wrote those 5 and then went home.
  it('does not count what the peer itself pushed here, in /status and /metrics; this server\'s own writes still count', async () => {
    const cluster = await startPeers(2, 'mesh');
    try {
      const [a, b] = cluster.peers as [LivePeer, LivePeer];
      expect(await a.sync.syncNow()).toMatchObject([{ ok: true }]);
      for (const number of [1, 2, 3, 4, 5]) await request(b.url).post('/api/teams').send({ number, name: `team ${number}` }).expect(201);
      expect(await b.sync.syncNow()).toMatchObject([{ ok: true, rowsPushed: 5 }]);

      const afterPush = await undeliveredOn(a, b);
      expect(afterPush.seq).toBeGreaterThanOrEqual(5); // the 5 rows are here, with local seqs
      expect(afterPush).toMatchObject({ status: 0, metric: 0 });

      // B goes away: nothing of A's is missing there, and A still says so.
      await new Promise<void>((resolve) => {
        b.listener.close(() => resolve());
        b.listener.closeAllConnections();
      });
      expect(await undeliveredOn(a, b)).toMatchObject({ status: 0, metric: 0 });

      // A's own writes are not on B: they count.
      for (const number of [6, 7]) await request(a.url).post('/api/teams').send({ number, name: `team ${number}` }).expect(201);
      expect(await undeliveredOn(a, b)).toMatchObject({ status: 2, metric: 2 });
    } finally {
      await cluster.close();
    }
  });
});
