import { randomUUID } from 'node:crypto';
import { connect } from '@nats-io/transport-node';
import { jetstreamManager, StorageType } from '@nats-io/jetstream';
import { tableRows } from '../helpers/data';
import { natsNodes, type NatsNode } from '../helpers/nats-nodes';
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

describeWithNats('a fleet stream whose subjects another stream takes (real nats-server)', () => {
  const nats = natsNodes();

  /** What an operator does with the nats CLI (`nats stream add`, `edit`, `rm`). */
  async function operator(change: (jsm: Awaited<ReturnType<typeof jetstreamManager>>) => Promise<unknown>): Promise<void> {
    const nc = await connect({ servers: nats.server().url });
    try {
      await change(await jetstreamManager(nc));
    } finally {
      await nc.close();
    }
  }

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
