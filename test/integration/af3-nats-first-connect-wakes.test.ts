import * as scheduler from '../../lib/peers/scheduler';
import { insertTeam as insert, teamNames as names } from '../helpers/k3-held-sender';
import { natsNodes, type NatsNode } from '../helpers/nats-nodes';
import { describeWithNats } from '../helpers/nats-server';

const STREAM = 'AF3_FIRST_CONNECT';
/** The consume loop's wait after a failure in this test: longer than any bound below, as after nats-server came up late (the backoff reaches a minute). */
const LONG_BACKOFF_MS = 10 * 60_000;
/** A generous bound for what a woken consumer does at once (a loaded 2-core machine). */
const BOUND_MS = 45_000;

const pause = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls until `done()` holds, at most `ms`. */
async function until(done: () => boolean, what: string, ms = BOUND_MS): Promise<void> {
  for (const deadline = Date.now() + ms; !done(); await pause(20)) if (Date.now() > deadline) throw new Error(`${what}: not within ${ms} ms`);
}

/** Whether `at`'s client is connected now. */
function linked(at: NatsNode): boolean {
  return (at.transport.status().nats?.connectedTo ?? null) !== null;
}

/**
 * An app started before nats-server (a boot order): the consume loop's attempts fail and it backs off (1 s, 2 s, …
 * a minute), as does the publish ticker. Once nats-server is up, the first of them to try connects: the ticker,
 * with a write to publish, connected and published, but the loop slept on, so this server applied nothing of the
 * others' until its own backoff ran out. No reconnect event comes for a first connection.
 */
describeWithNats('af3: the consume loop and the publisher are woken by the first connection the other made (real nats-server)', () => {
  const nats = natsNodes();
  afterEach(() => jest.restoreAllMocks());

  it('af3-nats-first-connect-wakes: started while nats-server is down, the server applies the others\' pages as soon as its publisher connected', async () => {
    const delay = scheduler.nextDelayMs;
    // The consume loop asks with no interval (the publish ticker with its publishIntervalMs): only its backoff is made long.
    jest.spyOn(scheduler, 'nextDelayMs').mockImplementation((failures, intervalMs, backoff, random) => (failures > 0 && intervalMs === 0 ? LONG_BACKOFF_MS : delay(failures, intervalMs, backoff, random)));
    await nats.server().stop();
    const reader = nats.node({ stream: STREAM, requestTimeoutMs: 1000 });
    insert(reader, 'from the late starter', 1); // its publisher has something to publish: it tries again and again
    reader.transport.start();
    await until(() => reader.transport.status().lastError?.code === 'NATS_UNREACHABLE', 'the reader failed to connect');
    await pause(300); // its loop's round failed: it waits out its backoff

    await nats.server().restart();
    const writer = nats.node({ stream: STREAM, requestTimeoutMs: 1000 });
    writer.transport.start();
    await until(() => linked(reader), 'the reader’s publisher connected');
    insert(writer, 'from a running server', 2);
    await until(() => names(writer).length === 2, 'the writer applied the reader’s row');
    await until(() => names(reader).length === 2, 'the reader applied the writer’s row'); // before the fix: only after its loop's backoff
    expect(names(reader)).toEqual(['from the late starter', 'from a running server']);
  }, 3 * BOUND_MS);

  it('af3-nats-first-connect-wakes: started while nats-server is down, the server publishes its writes as soon as its consumer connected', async () => {
    const delay = scheduler.nextDelayMs;
    // Now only the publish ticker's backoff is long (it asks with its publishIntervalMs; the consume loop with none).
    jest.spyOn(scheduler, 'nextDelayMs').mockImplementation((failures, intervalMs, backoff, random) => (failures > 0 && intervalMs > 0 ? LONG_BACKOFF_MS : delay(failures, intervalMs, backoff, random)));
    await nats.server().stop();
    const late = nats.node({ stream: STREAM, requestTimeoutMs: 1000 });
    insert(late, 'from the late starter', 1);
    late.transport.start();
    await until(() => late.transport.status().lastError?.code === 'NATS_UNREACHABLE', 'the late starter failed to connect');
    await pause(300); // its ticker's look failed: it waits out its backoff

    await nats.server().restart();
    const running = nats.node({ stream: STREAM, requestTimeoutMs: 1000 });
    running.transport.start();
    await until(() => linked(late), 'the late starter’s consumer connected');
    await until(() => names(running).length === 1, 'the running server applied the late starter’s row'); // before the fix: only after the ticker's backoff
    expect(names(running)).toEqual(['from the late starter']);
  }, 3 * BOUND_MS);
});
