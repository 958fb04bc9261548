import { randomUUID } from 'node:crypto';
import { StorageType } from '@nats-io/jetstream';
import { tableRows } from '../helpers/data';
import { natsNodes, type NatsNode } from '../helpers/nats-nodes';
import { asNatsOperator, type StreamManager } from '../helpers/nats-operator';
import { describeWithNats } from '../helpers/nats-server';

type Node = NatsNode;

const STREAM = 'LIMITED';
const LIMIT = 8192;

/** Writes `count` teams of about 100 bytes each in one transaction. */
function writeTeams(node: Node, count: number): void {
  const insert = node.db.prepare('INSERT INTO teams (id, name, number) VALUES (?, ?, ?)');
  node.db.transaction(() => {
    for (let i = 0; i < count; i += 1) insert.run(randomUUID(), `team ${i} ${'n'.repeat(60)}`, i);
  })();
}

describeWithNats("a stream whose max_msg_size an operator set below the page size (real nats-server)", () => {
  const nats = natsNodes();

  function node(): Node {
    return nats.node({ stream: STREAM }, { tokens: ['a-fleet-token-of-the-test-1'] });
  }

  /** What an operator does with the nats CLI (`nats stream add` / `nats stream edit --max-msg-size`). */
  const operator = <T>(change: (jsm: StreamManager) => Promise<T>): Promise<T> => asNatsOperator(nats.server().url, change);

  async function largestMessage(): Promise<number> {
    let largest = 0;
    await operator(async (jsm) => {
      const { state } = await jsm.streams.info(STREAM);
      for (let seq = state.first_seq; seq <= state.last_seq; seq += 1) {
        const message = await jsm.streams.getMessage(STREAM, { seq });
        if (message !== null) largest = Math.max(largest, message.data.length + (message.header?.toString().length ?? 0));
      }
    });
    return largest;
  }

  it('sizes pages to a max_msg_size set when the stream was made: every row travels, no message over it', async () => {
    await operator((jsm) => jsm.streams.add({ name: STREAM, subjects: [`ess.${STREAM}.*`], storage: StorageType.File, max_msg_size: LIMIT }));
    const [a, b] = [node(), node()];
    writeTeams(a, 300);
    await expect(a.transport.exchange()).resolves.toMatchObject({ rowsOut: 300 });
    expect(a.transport.status()).toMatchObject({ state: 'connected', lastError: null, nats: { unpublished: 0 } });
    await b.transport.exchange();
    expect(tableRows(b.db, 'teams')).toEqual(tableRows(a.db, 'teams'));
    expect(await largestMessage()).toBeLessThanOrEqual(LIMIT);
  });

  it('sizes pages to a max_msg_size lowered while the servers run (nats stream edit)', async () => {
    const [a, b] = [node(), node()];
    writeTeams(a, 1);
    await a.transport.exchange();
    await operator(async (jsm) => jsm.streams.update(STREAM, { ...(await jsm.streams.info(STREAM)).config, max_msg_size: LIMIT }));
    writeTeams(a, 300);
    await expect(a.transport.exchange()).resolves.toMatchObject({ rowsOut: 300 });
    expect(a.transport.status()).toMatchObject({ state: 'connected', lastError: null, nats: { unpublished: 0 } });
    await b.transport.exchange();
    expect(tableRows(b.db, 'teams')).toHaveLength(301);
    expect(tableRows(b.db, 'teams')).toEqual(tableRows(a.db, 'teams'));
  });

  it('a row larger than max_msg_size alone stops publishing with ROW_TOO_LARGE naming the stream\'s limit, not a bare NATS_ERROR', async () => {
    await operator((jsm) => jsm.streams.add({ name: STREAM, subjects: [`ess.${STREAM}.*`], storage: StorageType.File, max_msg_size: LIMIT }));
    const a = node();
    a.db.prepare('INSERT INTO teams (id, name, number) VALUES (?, ?, ?)').run('huge-team', 'x'.repeat(3 * LIMIT), 1);
    const failure = await a.transport.exchange().then(
      () => undefined,
      (error: unknown) => error as Error & { code?: string },
    );
    expect(failure?.code).toBe('ROW_TOO_LARGE');
    expect(failure?.message).toMatch(/teams \["huge-team"\].*stream's max_msg_size, 8192 bytes, less 1024 for the headers: 7168.*nats stream edit/);
    expect(a.transport.status()).toMatchObject({ state: 'failing', lastError: { code: 'ROW_TOO_LARGE' } });
  });
});
