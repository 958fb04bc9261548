import * as scheduler from '../../lib/peers/scheduler';
import { NatsConsumer } from '../../lib/peers/nats/nats-consumer';
import { insertTeam as insert, teamNames as names } from '../helpers/k3-held-sender';
import { natsNodes, type NatsNode } from '../helpers/nats-nodes';
import { describeWithNats } from '../helpers/nats-server';

const STREAM = 'AF3_RECONNECT_WAKES';
/** The consume loop's wait after a failure in this test: longer than any bound below, as after a long outage (the backoff reaches a minute), so only a wake at the reconnect explains a prompt delivery. */
const LONG_BACKOFF_MS = 10 * 60_000;
/** A generous bound for what a woken consumer does at once (a loaded 2-core machine). */
const BOUND_MS = 45_000;

const pause = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Whether `at`'s client is connected now. */
function linked(at: NatsNode): boolean {
  return (at.transport.status().nats?.connectedTo ?? null) !== null;
}

/** Polls until `done()` holds, at most `ms`. */
async function until(done: () => boolean, what: string, ms = BOUND_MS): Promise<void> {
  for (const deadline = Date.now() + ms; !done(); await pause(20)) if (Date.now() > deadline) throw new Error(`${what}: not within ${ms} ms`);
}

/**
 * While nats-server is down, a consumer whose delivery ends (a held sender's backoff, a round's retry, a still
 * delivery's restart) sets one up again, and that fails once `requestTimeoutMs` passes: the consume loop backs off
 * (1 s, 2 s, … a minute). At the reconnect the transport ended the delivery but did not wake the loop, so the
 * reader applied nothing more until that backoff ran out, while its publisher resumed at once.
 */
describeWithNats('af3: the consume loop is woken when the connection to NATS comes back (real nats-server)', () => {
  const nats = natsNodes();
  afterEach(() => jest.restoreAllMocks());

  it('af3-nats-reconnect-wakes-consumer: a reader whose loop is backing off applies a page published after the reconnect at once', async () => {
    const reader = nats.node({ stream: STREAM, requestTimeoutMs: 1000 });
    const writer = nats.node({ stream: STREAM, requestTimeoutMs: 1000 });
    const consumers: NatsConsumer[] = [];
    let readerFailures = 0;
    const run = NatsConsumer.prototype.run;
    jest.spyOn(NatsConsumer.prototype, 'run').mockImplementation(function (this: NatsConsumer) {
      if (!consumers.includes(this)) consumers.push(this);
      const running = run.call(this);
      if (this === consumers[0]) running.catch(() => (readerFailures += 1));
      return running;
    });
    const delay = scheduler.nextDelayMs;
    // The consume loop asks with no interval (the publish ticker with its publishIntervalMs): only its backoff is made long.
    jest.spyOn(scheduler, 'nextDelayMs').mockImplementation((failures, intervalMs, backoff, random) => (failures > 0 && intervalMs === 0 ? LONG_BACKOFF_MS : delay(failures, intervalMs, backoff, random)));

    reader.transport.start(); // the first consumer that runs is the reader's
    await until(() => consumers.length === 1, 'the reader began its delivery');
    writer.transport.start();
    insert(writer, 'before the outage', 1);
    await until(() => names(reader).length === 1, 'the reader applied the first row');
    const [readerConsumer] = consumers;
    if (readerConsumer === undefined) throw new Error('the reader ran no delivery');

    await nats.server().kill9();
    await until(() => !linked(reader), 'the reader saw the loss');
    readerConsumer.stop(); // as a held sender's backoff ends it while nats-server is down: its loop sets one up again, which times out
    await until(() => readerFailures >= 1, 'the reader’s delivery failed while nats-server was down');

    await nats.server().restart();
    await until(() => linked(reader) && linked(writer), 'both reconnected');
    insert(writer, 'after the reconnect', 2);
    await until(() => names(reader).length === 2, 'the reader applied the row published after the reconnect'); // before the fix: only after its backoff
    expect(names(reader)).toEqual(['before the outage', 'after the reconnect']);
  }, 3 * BOUND_MS);
});
