import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import type { Socket } from 'node:net';
import { natsNodes, type NatsNode } from '../helpers/nats-nodes';
import { describeWithNats } from '../helpers/nats-server';

/**
 * nats-server stopping while a node's NATS client is connected. The client
 * (@nats-io/transport-node 3.4) takes every listener off its socket when the
 * connection is closed; a write made just before, on a socket whose server
 * had ended it (a FIN read, the socket not yet destroyed), fails with "write
 * after end", and the socket's 'error' was then emitted with no listener: an
 * uncaught exception, which takes an app down. It happened when a node was
 * stopped just as nats-server stopped (its consumer's UNSUB, a publish, went
 * out in the same turn as the close).
 */
describeWithNats('k6: nats-server stopping under a connected node (real nats-server)', () => {
  const nats = natsNodes();
  const STREAM = 'K6_GONE';
  let uncaught: unknown[] = [];
  const record = (error: unknown): void => void uncaught.push(error);

  beforeEach(() => {
    uncaught = [];
    process.on('uncaughtException', record);
  });
  afterEach(() => {
    process.off('uncaughtException', record);
  });

  /** The client sockets this process connects to `port` from now on (Node's `net.client.socket` channel), until `stop`. */
  function socketsTo(port: number): { readonly sockets: Socket[]; stop(): void } {
    const sockets: Socket[] = [];
    const onSocket = (message: unknown): void => {
      const { socket } = message as { socket: Socket };
      socket.once('connect', () => {
        if (socket.remotePort === port) sockets.push(socket);
      });
    };
    subscribe('net.client.socket', onSocket);
    return { sockets, stop: () => void unsubscribe('net.client.socket', onSocket) };
  }

  function insert(node: NatsNode, id: number): void {
    node.db.prepare('INSERT INTO teams (id, name, number) VALUES (?, ?, ?)').run(`t${id}`, `team ${id}`, id);
  }

  /** When, after the socket's 'end' (the FIN read), the node is stopped. */
  const moments: ReadonlyArray<readonly [string, (then: () => void) => void]> = [
    ['at its end event', (then) => then()],
    ['two ticks later (its writable side ended too)', (then) => process.nextTick(() => process.nextTick(then))],
    ['two ticks and a microtask later', (then) => process.nextTick(() => process.nextTick(() => void Promise.resolve().then(then)))],
  ];

  it.each(moments)('a node stopped %s after nats-server ended its connection raises no uncaught exception', async (_name, when) => {
    const watch = socketsTo(nats.server().port);
    const node = nats.node({ stream: STREAM });
    try {
      insert(node, 1);
      node.transport.start();
      await node.transport.exchange(); // connected, publishing and consuming
      const [socket] = watch.sockets;
      if (socket === undefined) throw new Error('no client socket to nats-server seen');
      const closed = new Promise<boolean>((resolve, reject) => {
        socket.once('end', () =>
          when(() => {
            const open = socket.readableEnded && !socket.destroyed; // the FIN read, the socket not destroyed yet
            insert(node, 2); // a write the ticker would publish
            node.transport.close().then(() => resolve(open), reject);
          }),
        );
      });
      await nats.server().stop();
      expect(await closed).toBe(true); // the stop did come in that window
      await new Promise((resolve) => setTimeout(resolve, 50)); // an 'error' emitted with no listener is thrown on a later tick
      expect(uncaught).toEqual([]);
    } finally {
      watch.stop();
    }
  });

  it('a node stopped just after nats-server stopped or was killed raises no uncaught exception (20 times)', async () => {
    for (let round = 0; round < 20; round += 1) {
      const node = nats.node({ stream: STREAM });
      insert(node, round * 1000);
      node.transport.start();
      await node.transport.exchange();
      let id = round * 1000 + 1;
      const writer = setInterval(() => insert(node, id++), 2); // publishing while it stops
      try {
        if (round % 2 === 0) await nats.server().stop();
        else await nats.server().kill9();
      } finally {
        clearInterval(writer);
      }
      await node.transport.close();
      await nats.server().restart();
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(uncaught).toEqual([]);
  });

  it('nodes publishing and reading while nats-server is stopped and killed 20 times stay up and converge', async () => {
    const [writer, reader] = [nats.node({ stream: STREAM }), nats.node({ stream: STREAM })];
    insert(writer, 0);
    writer.transport.start();
    reader.transport.start();
    await writer.transport.exchange();
    let id = 1;
    const writes = setInterval(() => insert(writer, id++), 2);
    try {
      for (let round = 0; round < 20; round += 1) {
        await new Promise((resolve) => setTimeout(resolve, 5 + (round % 4) * 15)); // idle, publishing or reading when it goes
        if (round % 2 === 0) await nats.server().stop();
        else await nats.server().kill9();
        await nats.server().restart();
      }
    } finally {
      clearInterval(writes);
    }
    await untilExchanged(writer);
    await untilExchanged(reader);
    const rows = (node: NatsNode): number => node.db.prepare('SELECT count(*) FROM teams').pluck().get() as number;
    expect(rows(reader)).toBe(id);
    expect(rows(writer)).toBe(id);
    expect(uncaught).toEqual([]);
  });

  /** A round that succeeds, tried again while the link comes back (a failed round is what a scheduler would retry). */
  async function untilExchanged(node: NatsNode): Promise<void> {
    for (let attempt = 1; ; attempt += 1) {
      try {
        await node.transport.exchange();
        return;
      } catch (error) {
        if (attempt >= 100) throw error;
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    }
  }
});
