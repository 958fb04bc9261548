import { NatsConsumer } from '../../lib/peers/nats/nats-consumer';
import { insertTeam as insert, teamNames as names } from '../helpers/k3-held-sender';
import { natsNodes, type NatsNode } from '../helpers/nats-nodes';
import { describeWithNats } from '../helpers/nats-server';

const STREAM = 'AE4_SET_UP_WHILE_DOWN';
// Longer than the round's own bound (peerTimeoutMs, 10 s): a set-up request the restarted server never answers ends the round NATS_TIMEOUT.
const REQUEST_TIMEOUT_MS = 120_000;

const pause = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** A round's failure code, or 'ok'. */
function round(at: NatsNode): Promise<string> {
  return at.transport.exchange().then(
    () => 'ok',
    (error: unknown) => String((error as { code?: unknown }).code),
  );
}

/** Whether `at`'s client is connected now (its state may read 'failing' either way). */
function linked(at: NatsNode): boolean {
  return (at.transport.status().nats?.connectedTo ?? null) !== null;
}

/** Polls until `done()` holds (at most 30 s). */
async function until(done: () => boolean): Promise<void> {
  for (const deadline = Date.now() + 30_000; !done(); await pause(10)) if (Date.now() > deadline) throw new Error('the state awaited never came');
}

/**
 * The consumer's delivery is set up again (its stream read, its ordered consumer made) whenever it
 * ends: at a reconnect, and also while nats-server is down, when a held sender's backoff, a round's
 * retry of the held senders or a still delivery's restart ends it. The set-up requests sent while the
 * connection was down were dropped by the client at its next dial and never answered: the delivery
 * stood still for `requestTimeoutMs`, and rounds after the restart ended NATS_TIMEOUT meanwhile.
 * Here the reader's delivery is ended while nats-server is down, every time, and set up again before it is back.
 */
describeWithNats('ae4: a consumer delivery set up while nats-server is down (real nats-server)', () => {
  const nats = natsNodes();
  afterEach(() => jest.restoreAllMocks());

  const node = (): NatsNode => nats.node({ stream: STREAM, requestTimeoutMs: REQUEST_TIMEOUT_MS });

  /**
   * A reader and a writer that both applied the writer's first row; then nats-server is killed, and once the
   * reader's client knows, the reader's delivery is ended (as a held sender's backoff ends it) and its loop sets
   * one up again before nats-server is back.
   */
  async function setUpWhileDown(): Promise<{ reader: NatsNode; writer: NatsNode }> {
    const run = NatsConsumer.prototype.run;
    const consumers: NatsConsumer[] = [];
    let began = (): void => undefined;
    jest.spyOn(NatsConsumer.prototype, 'run').mockImplementation(function (this: NatsConsumer) {
      if (!consumers.includes(this)) consumers.push(this);
      if (this === consumers[0]) began();
      return run.call(this);
    });
    const reader = node();
    expect(await round(reader)).toBe('ok'); // the first consumer that runs is the reader's
    const [readerConsumer] = consumers;
    if (readerConsumer === undefined) throw new Error('the reader ran no delivery');
    const writer = node();
    insert(writer, 'before the restart', 1);
    expect(await round(writer)).toBe('ok');
    expect(await round(reader)).toBe('ok');
    expect(names(reader)).toEqual(['before the restart']);

    await nats.server().kill9();
    await until(() => !linked(reader));
    const begun = new Promise<void>((resolve) => (began = resolve));
    readerConsumer.stop(); // its loop sets up a delivery again at once, while nats-server is down
    await begun;
    await new Promise((resolve) => setImmediate(resolve)); // its set-up requests go to the client (in microtasks), while it is down
    expect(linked(reader)).toBe(false);
    return { reader, writer };
  }

  it('ae4-nats-delivery-set-up-while-down: the first round after the restart applies what came meanwhile and ends ok', async () => {
    const { reader, writer } = await setUpWhileDown();
    await nats.server().restart();
    insert(writer, 'after the restart', 2);
    await until(() => linked(writer));
    expect(await round(writer)).toBe('ok');
    await until(() => linked(reader));
    expect(await round(reader)).toBe('ok'); // before: NATS_TIMEOUT after peerTimeoutMs, its delivery waiting requestTimeoutMs for an answer that never comes
    expect(names(reader)).toEqual(['before the restart', 'after the restart']);
  }, 90_000);

  it('ae4-nats-delivery-set-up-while-down: close() while that set-up waits for the reconnect returns', async () => {
    const { reader } = await setUpWhileDown();
    await reader.transport.close(); // closing the client ends its requests: the delivery's loop ends, and close() with it
    expect(reader.transport.status().state).toBe('stopped');
  }, 90_000);
});
