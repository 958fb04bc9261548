import { randomUUID } from 'node:crypto';
import { DiscardPolicy, StorageType } from '@nats-io/jetstream';
import { tableRows } from '../helpers/data';
import { natsNodes, type NatsNode } from '../helpers/nats-nodes';
import { asNatsOperator, type StreamManager } from '../helpers/nats-operator';
import { describeWithNats } from '../helpers/nats-server';

const STREAM = 'FLEET';
const TOKENS = { tokens: ['a-fleet-token-of-the-test-1'] };

function writeTeam(node: NatsNode): void {
  node.db.prepare('INSERT INTO teams (id, name, number) VALUES (?, ?, ?)').run(randomUUID(), 'a team', 1);
}

/** The error an exchange ends with (undefined when it succeeds). */
async function failureOf(node: NatsNode): Promise<(Error & { code?: string }) | undefined> {
  return node.transport.exchange().then(
    () => undefined,
    (error: unknown) => error as Error & { code?: string },
  );
}

// Stream mistakes an operator makes with the nats CLI, found from outside (helper ae6): each was a bare NATS_ERROR
// naming neither the stream nor the fix.
describeWithNats('a fleet stream an operator made unusable (real nats-server)', () => {
  const nats = natsNodes();
  const operator = <T>(change: (jsm: StreamManager) => Promise<T>): Promise<T> => asNatsOperator(nats.server().url, change);

  it('full and keeping its old messages (discard new): NATS_STREAM naming the stream and the one-line fix, not a bare NATS_ERROR; the fix lets every row through', async () => {
    await operator((jsm) => jsm.streams.add({ name: STREAM, subjects: [`ess.${STREAM}.*`], storage: StorageType.File, discard: DiscardPolicy.New, max_msgs: 1 }));
    const [a, b] = [nats.node({ stream: STREAM }, TOKENS), nats.node({ stream: STREAM }, TOKENS)];
    writeTeam(a);
    await a.transport.exchange(); // the stream's one message
    await b.transport.exchange();
    writeTeam(a);
    const failure = await failureOf(a);
    expect(failure?.code).toBe('NATS_STREAM');
    expect(failure?.message).toMatch(/stream FLEET is full.*maximum messages exceeded.*nats stream edit FLEET --discard old/);
    expect(a.transport.status()).toMatchObject({ state: 'failing', lastError: { code: 'NATS_STREAM' }, nats: { unpublished: 1 } });

    await operator(async (jsm) => jsm.streams.update(STREAM, { ...(await jsm.streams.info(STREAM)).config, discard: DiscardPolicy.Old }));
    await expect(a.transport.exchange()).resolves.toMatchObject({ rowsOut: 1 });
    expect(a.transport.status()).toMatchObject({ lastError: null, nats: { unpublished: 0 } });
    await b.transport.exchange(); // the stream dropped the message b had read, for a's second
    expect(tableRows(b.db, 'teams')).toHaveLength(2);
    expect(tableRows(b.db, 'teams')).toEqual(tableRows(a.db, 'teams'));
  });

  it('its subjects taken by another stream: NATS_STREAM naming that stream and the fix, not "subjects overlap with an existing stream"', async () => {
    await operator((jsm) => jsm.streams.add({ name: 'CATCHALL', subjects: [`ess.${STREAM}.>`], storage: StorageType.File }));
    const [a, b] = [nats.node({ stream: STREAM }, TOKENS), nats.node({ stream: STREAM }, TOKENS)];
    writeTeam(a);
    const failure = await failureOf(a);
    expect(failure?.code).toBe('NATS_STREAM');
    expect(failure?.message).toMatch(/stream FLEET cannot be made: .*the stream CATCHALL .*ess\.FLEET\.\*.*transport\.nats\.stream/);
    expect(a.transport.status()).toMatchObject({ state: 'failing', lastError: { code: 'NATS_STREAM' } });

    await operator((jsm) => jsm.streams.delete('CATCHALL'));
    await expect(a.transport.exchange()).resolves.toMatchObject({ rowsOut: 1 });
    await b.transport.exchange();
    expect(tableRows(b.db, 'teams')).toEqual(tableRows(a.db, 'teams'));
  });
});
