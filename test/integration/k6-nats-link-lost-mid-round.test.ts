import { randomUUID } from 'node:crypto';
import { resolveNatsOptions } from '../../lib/peers/nats/nats-options';
import { NatsTransport } from '../../lib/peers/nats/nats-transport';
import { trackedDb } from '../helpers/data';
import { natsNodes, type NatsNode } from '../helpers/nats-nodes';
import { describeWithNats } from '../helpers/nats-server';

/**
 * A NATS round whose link is lost while it waits for an answer (a publish's
 * ack, the stream's facts, the consumer's position) waited out the whole
 * `requestTimeoutMs` before it failed: the client keeps a request through a
 * reconnect, and nats-server, killed, never answers it. It now fails as soon
 * as the client reads the loss, with NATS_UNREACHABLE. A round that begins
 * while the link is down still waits for the reconnect, up to `requestTimeoutMs`
 * (nats-operator-mistakes).
 */
describeWithNats('k6: a NATS round whose link is lost mid-round (real nats-server)', () => {
  const nats = natsNodes();
  const REQUEST_TIMEOUT_MS = 15_000; // the old wait; the round must end well before it
  const STREAM = 'K6_MID_ROUND';
  const made: NatsNode[] = [];
  afterEach(async () => {
    for (const each of made.splice(0)) {
      await each.transport.close();
      each.cleanup();
    }
  });

  /** A node on the test's nats-server whose requests wait up to REQUEST_TIMEOUT_MS. */
  function makeNode(): NatsNode {
    const temp = trackedDb();
    const config = resolveNatsOptions({ servers: nats.server().url, stream: STREAM, requestTimeoutMs: REQUEST_TIMEOUT_MS });
    const created: NatsNode = { ...temp, transport: new NatsTransport(config, { data: temp.tracker, peerTimeoutMs: 2 * REQUEST_TIMEOUT_MS }) };
    made.push(created);
    return created;
  }

  function insertMany(node: NatsNode, count: number): void {
    const insert = node.db.prepare('INSERT INTO teams (id, name, number) VALUES (?, ?, ?)');
    node.db.transaction(() => {
      for (let i = 0; i < count; i += 1) insert.run(randomUUID(), `team ${'x'.repeat(100)}`, i);
    })();
  }

  async function roundWithLinkLost(node: NatsNode): Promise<{ code: string | undefined; message: string; ms: number }> {
    const started = Date.now();
    const round = node.transport.exchange().then(
      () => ({ code: undefined, message: 'the round succeeded' }),
      (error: unknown) => ({ code: (error as { code?: string }).code, message: (error as Error).message }),
    );
    await nats.server().kill9();
    return { ...(await round), ms: Date.now() - started };
  }

  it('a round publishing when nats-server is killed fails with NATS_UNREACHABLE as soon as the link is lost', async () => {
    const node = makeNode();
    insertMany(node, 1);
    await node.transport.exchange(); // connected, the stream made
    insertMany(node, 20_000); // several messages to publish: the round is waiting for an ack when the server goes
    const failure = await roundWithLinkLost(node);
    expect(failure.code).toBe('NATS_UNREACHABLE');
    expect(failure.message).toMatch(/the connection to NATS is down .*lost/);
    expect(failure.ms).toBeLessThan(REQUEST_TIMEOUT_MS / 2);
    expect(node.transport.status().lastError?.code).toBe('NATS_UNREACHABLE');
    // nats-server back: the next rounds publish the rest (a page whose ack was lost is taken in, not sent twice), and a reader gets every row.
    await nats.server().restart();
    await untilConnected(node); // a request made before the client reconnected waits out requestTimeoutMs (noticed, not changed here)
    await untilExchanged(node);
    const reader = makeNode();
    await untilExchanged(reader);
    expect(reader.db.prepare('SELECT count(*) FROM teams').pluck().get()).toBe(20_001);
    expect(node.transport.status().lastError).toBeNull();
  });

  it('a round reading the stream when nats-server is killed fails with NATS_UNREACHABLE as soon as the link is lost', async () => {
    const [writer, reader] = [makeNode(), makeNode()];
    insertMany(writer, 20_000);
    await writer.transport.exchange(); // the stream holds them; the reader has read none
    const failure = await roundWithLinkLost(reader);
    expect(failure.code).toBe('NATS_UNREACHABLE');
    expect(failure.ms).toBeLessThan(REQUEST_TIMEOUT_MS / 2);
  });

  async function untilConnected(node: NatsNode): Promise<void> {
    for (let attempt = 1; node.transport.status().nats?.connectedTo == null; attempt += 1) {
      if (attempt >= 300) throw new Error('the node did not reconnect');
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  /** A round that succeeds, tried again while the link comes back (as the scheduler retries a failed round). */
  async function untilExchanged(node: NatsNode): Promise<void> {
    for (let attempt = 1; ; attempt += 1) {
      try {
        await node.transport.exchange();
        return;
      } catch (error) {
        if (attempt >= 60) throw error;
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
    }
  }
});
