import { SyncError } from '../../lib/sync-error';
import { NatsLink } from '../../lib/peers/nats/nats-link';
import { resolveNatsOptions } from '../../lib/peers/nats/nats-options';
import { describeWithNats, startNatsServer, type NatsServer } from '../helpers/nats-server';

const STREAM = 'AFTERRECONNECT';
// Longer than the test's own bound: a request the restarted server never answers fails the test by its timeout.
const REQUEST_TIMEOUT_MS = 120_000;

const pause = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls until `done()` holds (at most 30 s). */
async function until(done: () => boolean): Promise<void> {
  for (const deadline = Date.now() + 30_000; !done(); await pause(10)) if (Date.now() > deadline) throw new Error('the NATS link never reached the state awaited');
}

describeWithNats('a NATS request sent while nats-server is down (restarted)', () => {
  let nats: NatsServer;
  let link: NatsLink;
  beforeEach(async () => {
    nats = await startNatsServer();
    link = new NatsLink(resolveNatsOptions({ servers: nats.url, stream: STREAM, requestTimeoutMs: REQUEST_TIMEOUT_MS }));
    await link.ensureStream();
  });
  afterEach(async () => {
    await link.close();
    await nats.close();
  });

  it('is sent again at the reconnect and answered: a publish lands, the stream facts are read', async () => {
    const { js } = await link.jetstream();
    await nats.kill9();
    await until(() => link.state !== 'connected');
    // Both sent while the connection is down: the client keeps them, but the restarted server never answers them.
    const published = link.request(() => js.publish(`ess.${STREAM}.site`, 'while down', { msgID: 'm0-once' }));
    const facts = link.ensureStream();
    await nats.restart();
    const ack = await published;
    expect(ack.seq).toBe(1);
    expect(await facts).toMatchObject({ firstSeq: 1, lastSeq: 1 });
    // Sent again with its message id: a first copy that landed after all is no second message.
    const again = await link.request(() => js.publish(`ess.${STREAM}.site`, 'while down', { msgID: 'm0-once' }));
    expect(again).toMatchObject({ seq: 1, duplicate: true });
  }, 60_000);

  it('still ends with NATS_UNREACHABLE when the connection is lost while it waits', async () => {
    const { jsm } = await link.jetstream();
    await nats.kill9();
    await until(() => link.state !== 'connected');
    const info = link.request(() => jsm.streams.info(STREAM));
    await nats.restart();
    await expect(info).resolves.toMatchObject({ config: { name: STREAM } });
    const waiting = link.whileLinked(new Promise<never>(() => undefined)).catch((error: unknown) => error);
    await nats.kill9();
    const failure = await waiting;
    expect(failure).toBeInstanceOf(SyncError);
    expect(failure).toMatchObject({ code: 'NATS_UNREACHABLE' });
  }, 60_000);
});
