import { randomUUID } from 'node:crypto';
import { connect } from '@nats-io/transport-node';
import { jetstreamManager, RetentionPolicy, StorageType, type JetStreamManager } from '@nats-io/jetstream';
import type { ChangeTracker } from '../../lib/data/change-tracker';
import { NatsTransport } from '../../lib/peers/nats/nats-transport';
import { resolveNatsOptions } from '../../lib/peers/nats/nats-options';
import { tableRows, trackedDb, type TempDb } from '../helpers/data';
import { describeWithNats, startNatsServer, type NatsServer } from '../helpers/nats-server';

type Node = TempDb & { readonly tracker: ChangeTracker; transport: NatsTransport };

const STREAM = 'UNFIT';
const SUBJECTS = [`ess.${STREAM}.*`];

async function failureOf(promise: Promise<unknown>): Promise<(Error & { code?: string }) | undefined> {
  return promise.then(
    () => undefined,
    (error: unknown) => error as Error & { code?: string },
  );
}

describeWithNats('a fleet stream an operator made or edited so that it cannot carry the fleet (real nats-server)', () => {
  let server: NatsServer;
  const nodes: Node[] = [];

  function node(): Node {
    const temp = trackedDb();
    const config = resolveNatsOptions({ servers: server.url, stream: STREAM, requestTimeoutMs: 2000 });
    const created: Node = { ...temp, transport: new NatsTransport(config, { data: temp.tracker, peerTimeoutMs: 5000, tokens: ['a-fleet-token-of-the-test-1'] }) };
    nodes.push(created);
    return created;
  }

  function addTeam(at: Node, name: string): void {
    at.db.prepare('INSERT INTO teams (id, name, number) VALUES (?, ?, ?)').run(randomUUID(), name, 1);
  }

  /** What an operator does with the nats CLI. */
  async function operator<T>(act: (jsm: JetStreamManager) => Promise<T>): Promise<T> {
    const nc = await connect({ servers: server.url });
    try {
      return await act(await jetstreamManager(nc));
    } finally {
      await nc.close();
    }
  }

  beforeEach(async () => {
    server = await startNatsServer();
  });
  afterEach(async () => {
    for (const each of nodes.splice(0)) {
      await each.transport.close();
      each.cleanup();
    }
    await server.close();
  });

  it.each([
    [RetentionPolicy.Interest, /has interest retention: it drops a message once it is read.*limits retention.*nats stream rm UNFIT/],
    [RetentionPolicy.Workqueue, /has workqueue retention/],
  ])('a stream with %s retention is refused with NATS_STREAM: nothing is published into it, nothing counted as published', async (retention, says) => {
    await operator((jsm) => jsm.streams.add({ name: STREAM, subjects: SUBJECTS, storage: StorageType.File, retention }));
    const a = node();
    addTeam(a, 'would vanish');
    const failure = await failureOf(a.transport.exchange());
    expect(failure?.code).toBe('NATS_STREAM');
    expect(failure?.message).toMatch(says);
    expect(a.transport.status()).toMatchObject({ state: 'failing', lastError: { code: 'NATS_STREAM' }, nats: { publishedSeq: 0, unpublished: 1, messagesPublished: 0 } });
    expect((await operator((jsm) => jsm.streams.info(STREAM))).state.last_seq).toBe(0);
  });

  it('acknowledgements turned off (no_ack) while the servers run: NATS_STREAM saying so, not a NATS_TIMEOUT; synced again once they are back on', async () => {
    const [a, b] = [node(), node()];
    addTeam(a, 'before');
    await a.transport.exchange();
    await b.transport.exchange();
    await operator(async (jsm) => jsm.streams.update(STREAM, { ...(await jsm.streams.info(STREAM)).config, no_ack: true }));
    addTeam(a, 'after');
    const failure = await failureOf(a.transport.exchange());
    expect(failure?.code).toBe('NATS_STREAM');
    expect(failure?.message).toMatch(/does not acknowledge messages \(no_ack\).*nats stream edit UNFIT --ack/);
    expect(a.transport.status()).toMatchObject({ state: 'failing', nats: { unpublished: 1 } });
    await operator(async (jsm) => jsm.streams.update(STREAM, { ...(await jsm.streams.info(STREAM)).config, no_ack: false }));
    await expect(a.transport.exchange()).resolves.toMatchObject({ rowsOut: 1 });
    await b.transport.exchange();
    expect(tableRows(b.db, 'teams')).toEqual(tableRows(a.db, 'teams'));
    expect(tableRows(b.db, 'teams')).toHaveLength(2);
  });

  it('a running server (started, no rounds) shows the edit on /status within its next reads of the stream', async () => {
    const a = node();
    a.transport.start();
    addTeam(a, 'first');
    for (let waited = 0; a.transport.status().nats?.unpublished !== 0 || a.transport.status().state !== 'connected'; waited += 50) {
      if (waited > 10_000) throw new Error(`never published: ${JSON.stringify(a.transport.status())}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    await operator(async (jsm) => jsm.streams.update(STREAM, { ...(await jsm.streams.info(STREAM)).config, no_ack: true }));
    for (let waited = 0; a.transport.status().lastError?.code !== 'NATS_STREAM'; waited += 50) {
      if (waited > 15_000) throw new Error(`never said NATS_STREAM: ${JSON.stringify(a.transport.status())}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(a.transport.status()).toMatchObject({ state: 'failing', lastError: { code: 'NATS_STREAM' } });
  });
});
