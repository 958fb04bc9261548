import { randomUUID } from 'node:crypto';
import { connect, headers, nanos } from '@nats-io/transport-node';
import { jetstream, jetstreamManager, StorageType } from '@nats-io/jetstream';
import { tableRows } from '../helpers/data';
import { natsNodes, type NatsNode } from '../helpers/nats-nodes';
import { describeWithNats } from '../helpers/nats-server';

type Node = NatsNode;

const STREAM = 'SQUAT';
const FLEET = 'the-fleet-sync-token-0001';

describeWithNats("a message id taken in advance by someone holding only the NATS credentials (real nats-server)", () => {
  const nats = natsNodes();

  function node(): Node {
    return nats.node({ stream: STREAM }, { peerTimeoutMs: 5000, tokens: [FLEET] });
  }


  /** Publishes junk with the given `Nats-Msg-Id` (and no Ess-Attempt), as a plain NATS client can: JetStream then answers a page with that id as a duplicate. */
  async function squat(subject: string, msgId: string): Promise<void> {
    const nc = await connect({ servers: nats.server().url });
    try {
      const h = headers();
      h.set('Nats-Msg-Id', msgId);
      await jetstream(nc).publish(subject, 'junk', { headers: h });
    } finally {
      await nc.close();
    }
  }

  it.each([
    ['on another subject', () => `ess.${STREAM}.${'f'.repeat(32)}`],
    ["on the site's own subject", (site: string) => `ess.${STREAM}.${site}`],
  ])('%s: the page JetStream dropped as a duplicate is not taken as published (WRONG_TOKEN, still unpublished)', async (_where, subjectFor) => {
    const [a, b] = [node(), node()];
    a.db.prepare('INSERT INTO teams (id, name, number) VALUES (?, ?, ?)').run(randomUUID(), 'first', 1);
    await a.transport.exchange();
    const site = a.tracker.siteId;
    // The next write's id is predictable from the stream: <site>:2-2 for one more row.
    await squat(subjectFor(site), `${site}:2-2`);
    a.db.prepare('INSERT INTO teams (id, name, number) VALUES (?, ?, ?)').run(randomUUID(), 'second', 2);
    const failure = await a.transport.exchange().then(
      () => undefined,
      (error: unknown) => error as Error & { code?: string },
    );
    expect(failure?.code).toBe('WRONG_TOKEN');
    expect(failure?.message).toMatch(new RegExp(`${site}:2-2`));
    expect(a.transport.status()).toMatchObject({ state: 'failing', nats: { unpublished: 1 } });
    await b.transport.exchange();
    expect(tableRows(b.db, 'teams')).toHaveLength(1); // the second row is not in the stream: nothing pretends it is
  });

  it('publishes the page once JetStream has let the id go (its duplicate window), passing over the junk; the others get every row', async () => {
    // An operator's stream with a short duplicate window, so the id is free again within the test.
    const nc = await connect({ servers: nats.server().url });
    await (await jetstreamManager(nc)).streams.add({ name: STREAM, subjects: [`ess.${STREAM}.*`], storage: StorageType.File, duplicate_window: nanos(300) });
    await nc.close();
    const [a, b] = [node(), node()];
    a.db.prepare('INSERT INTO teams (id, name, number) VALUES (?, ?, ?)').run(randomUUID(), 'first', 1);
    await a.transport.exchange();
    const site = a.tracker.siteId;
    await squat(`ess.${STREAM}.${site}`, `${site}:2-2`);
    a.db.prepare('INSERT INTO teams (id, name, number) VALUES (?, ?, ?)').run(randomUUID(), 'second', 2);
    let result: unknown;
    for (let attempt = 0; result === undefined; attempt += 1) {
      if (attempt === 100) throw new Error(`never published: ${JSON.stringify(a.transport.status())}`);
      result = await a.transport.exchange().catch(async () => new Promise((resolve) => setTimeout(resolve, 100)));
    }
    expect(a.transport.status()).toMatchObject({ nats: { unpublished: 0 } });
    await b.transport.exchange();
    expect(tableRows(b.db, 'teams')).toEqual(tableRows(a.db, 'teams'));
    expect(tableRows(b.db, 'teams')).toHaveLength(2);
  });
});
