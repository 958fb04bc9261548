import net from 'node:net';
import { Transform } from 'node:stream';
import { joinServersPerTest, type JoinServerOptions } from '../helpers/join-servers';
import { addTeams } from '../helpers/snapshot';

/** Bytes a slow link lets through per tick, and the tick: 20 KiB/s, far over the 1 KiB per peerTimeoutMs a link must bring. */
const SLICE = 8192;
const TICK_MS = 400;
/** C's peerTimeoutMs: long enough for A to build its snapshot (seconds under ts-jest), far shorter than the download. */
const PEER_TIMEOUT_MS = 10_000;

/** A slow link to `port` on 127.0.0.1: a TCP proxy that lets the answers through `SLICE` bytes per `TICK_MS`. */
async function slowLinkTo(port: number): Promise<{ url: string; close: () => Promise<void> }> {
  const sockets = new Set<net.Socket>();
  const proxy = net.createServer((client) => {
    const upstream = net.connect(port, '127.0.0.1');
    sockets.add(client).add(upstream);
    const slow = new Transform({
      transform(chunk: Buffer, _encoding, callback) {
        const slices: Buffer[] = [];
        for (let at = 0; at < chunk.length; at += SLICE) slices.push(chunk.subarray(at, at + SLICE));
        const next = (): void => {
          const slice = slices.shift();
          if (slice === undefined) return callback();
          this.push(slice);
          setTimeout(next, TICK_MS);
        };
        next();
      },
    });
    client.pipe(upstream);
    upstream.pipe(slow).pipe(client);
    const end = (): void => {
      client.destroy();
      upstream.destroy();
      slow.destroy();
    };
    client.on('error', end).on('close', end);
    upstream.on('error', end); // its end goes through `slow` to the client once the queued bytes went
  });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  const address = proxy.address() as net.AddressInfo;
  return {
    url: `http://127.0.0.1:${address.port}`,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => proxy.close(resolve));
    },
  };
}

/**
 * A new server C joins from A over a slow link (its snapshot takes seconds, though every second brings far more than
 * peerTimeoutMs asks) while its round with B, a small peer, runs. Before, B's round waited for the whole download
 * (its pull, and with it B's files): a snapshot taking hours held every other peer for hours, peerTimeoutMs bounding
 * nothing. Now B's round waits for the join at most peerTimeoutMs, then ends its pull with JOINING without applying a
 * page (the snapshot is kept) and goes on with its files; B's next round pulls what it has.
 */
describe("a round with another peer while a join's snapshot comes over a slow link", () => {
  const servers = joinServersPerTest('ess-ac4-join-wait-');
  /** C's options: its peers, and the peerTimeoutMs this test is about. */
  const joiner = (peers: string[]): JoinServerOptions => ({ peers, node: { peerTimeoutMs: PEER_TIMEOUT_MS } });

  it('waits at most peerTimeoutMs, then fails its pull with JOINING, nothing applied; the join still imports the snapshot', async () => {
    const a = await servers.start('a');
    addTeams(a.data.db, 1500, 'a');
    const link = await slowLinkTo(Number(new URL(a.http.url).port));
    servers.beforeClose(() => link.close());
    const aUrl = `${link.url}/api/sync`;
    const b = await servers.start('b');
    addTeams(b.data.db, 10, 'b');
    const c = await servers.start('c', joiner([aUrl, b.syncUrl]));
    let joined = false;
    c.node.client?.on('progress', (progress) => (joined ||= progress.phase === 'snapshot' && progress.done === 1));
    const count = (): unknown => c.data.db.prepare('SELECT count(*) FROM teams').pluck().get();

    const fromA = c.node.client?.syncPeer(aUrl);
    while (!a.asked.some((line) => line.startsWith('GET /api/sync/data/snapshot'))) await new Promise((resolve) => setTimeout(resolve, 20));
    const fromB = await c.node.client?.syncPeer(b.syncUrl);
    expect(joined).toBe(false); // B's round ended while the snapshot was still on its way
    // Said so, not "synced": its status still shows B's rows as not pulled (a round ok would count as caught up with B).
    expect(fromB).toMatchObject({ ok: false, rowsPulled: 0, error: { code: 'JOINING' } });
    expect(c.node.client?.peerStatuses().find((peer) => peer.url === b.syncUrl)?.lagChanges).toBe(10);
    expect(count()).toBe(0);

    expect(await fromA).toMatchObject({ ok: true, rowsPulled: 1500 });
    expect(a.asked.filter((line) => line.startsWith('GET /api/sync/data/changes') && /[?&]since=0(&|$)/.test(line))).toEqual([]); // imported
    expect(await c.node.client?.syncPeer(b.syncUrl)).toMatchObject({ ok: true, rowsPulled: 10 });
    expect(count()).toBe(1510);
  });
});
