import { randomUUID } from 'node:crypto';
import net from 'node:net';
import { describeWithNats, startNatsServer, type NatsServer } from '../helpers/nats-server';
import { startPeers, type LivePeer } from '../helpers/peers';
import type { PeerSyncResult } from '../../lib/peers/sync-status';

const STREAM = 'STOPPING';
const NATS_NAME = `nats:${STREAM}`;

/** A TCP relay to nats-server that can go silent, as a venue's Wi-Fi does: connections stay open, nothing gets through either way. */
interface SilentLink {
  readonly url: string;
  silence(): void;
  close(): Promise<void>;
}

async function relayTo(port: number): Promise<SilentLink> {
  const sockets = new Set<net.Socket>();
  let silent = false;
  const track = (socket: net.Socket): void => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
  };
  const server = net.createServer((client) => {
    track(client);
    if (silent) return;
    const upstream = net.connect(port, '127.0.0.1');
    track(upstream);
    client.on('data', (chunk) => void (silent || upstream.write(chunk)));
    upstream.on('data', (chunk) => void (silent || client.write(chunk)));
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `nats://127.0.0.1:${(server.address() as net.AddressInfo).port}`,
    silence: () => (silent = true),
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** `promise`, or a rejection after `ms`: a stop that waits for a silent NATS would take minutes here. */
function within<T>(ms: number, promise: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_resolve, reject) => (timer = setTimeout(() => reject(new Error(`still waiting after ${ms} ms`)), ms)));
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}

describeWithNats('stop() while a NATS round waits for a NATS server gone silent', () => {
  let nats: NatsServer;
  let link: SilentLink;
  let cluster: Awaited<ReturnType<typeof startPeers>>;

  beforeEach(async () => {
    nats = await startNatsServer();
    link = await relayTo(nats.port);
    // Long NATS timeouts: the stop must not wait for them.
    cluster = await startPeers(1, 'none', { transport: { nats: { servers: link.url, stream: STREAM, requestTimeoutMs: 120_000 } } });
  });
  afterEach(async () => {
    await cluster.close();
    await link.close();
    await nats.close();
  });

  it('abandons the round after its grace, as for an HTTP peer: it ends with STOPPED, and the stop resolves', async () => {
    const [a] = cluster.peers as [LivePeer];
    a.db.prepare('INSERT INTO teams (id, number, name) VALUES (?, ?, ?)').run(randomUUID(), 1, 'published');
    expect(await a.sync.client?.syncPeer(NATS_NAME)).toMatchObject({ ok: true, rowsPushed: 1 });
    link.silence();
    a.db.prepare('INSERT INTO teams (id, number, name) VALUES (?, ?, ?)').run(randomUUID(), 2, 'waits for NATS');
    const round = a.sync.client?.syncPeer(NATS_NAME) as Promise<PeerSyncResult>;
    await within(15_000, a.sync.stop(50));
    const result = await round;
    expect(result).toMatchObject({ ok: false, error: { code: 'STOPPED' } });
    expect(result.error?.message).toMatch(/stopping/);
    // Once stopped, a round through NATS ends with NATS_CLOSED, as documented.
    expect(await a.sync.client?.syncPeer(NATS_NAME)).toMatchObject({ ok: false, error: { code: 'NATS_CLOSED' } });
  });
});
