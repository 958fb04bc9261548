import { HeldReplay } from '../../lib/peers/nats/held-replay';
import { NatsLink } from '../../lib/peers/nats/nats-link';
import { heldSenderNodes, insertTeam as insert, teamNames as names, UNLOCK_TRIGGER as UNLOCK } from '../helpers/k3-held-sender';
import { describeWithNats } from '../helpers/nats-server';

/**
 * A round asks for the held senders to be tried again (`retryHeld`): the
 * replay counts as not read until a new delivery begins it, and the round
 * ends the delivery under way so that one does. A delivery still being set up
 * (its replay begun, its consumer not made yet) had nothing to end then: it
 * went on, the round's ask stayed, and once the stream had a message past the
 * replay the round counted the position short of the stream's end for good,
 * ending NATS_TIMEOUT after `peerTimeoutMs` though everything was applied.
 * That is the order in which h3-nats-held-sender-operator's single round after
 * the fix could fail under load (a held sender's backoff restarts the
 * delivery now and then). Here the round starts while the delivery is set up, every time.
 */
describeWithNats('ae3: a round that retries the held senders while the delivery is being set up (real nats-server)', () => {
  const nats = heldSenderNodes('AE3_RETRY_HELD');
  afterEach(() => jest.restoreAllMocks());

  it('ae3-retry-held-while-delivery-starts: the round ends ok, everything applied', async () => {
    const { held, reader } = await nats.fleet();
    await expect(reader.transport.exchange()).rejects.toMatchObject({ code: 'APPLY_REFUSED' }); // held's first message waits; the held sender's backoff restarts the delivery from now on

    // The next delivery that begins (the backoff restarts it) is held just after its replay began, before its consumer is made.
    const begin = HeldReplay.prototype.begin;
    const jetstream = NatsLink.prototype.jetstream;
    let gateNext = false;
    let began = (): void => undefined;
    const begun = new Promise<void>((resolve) => (began = resolve));
    let open = (): void => undefined;
    const opened = new Promise<void>((resolve) => (open = resolve));
    let armed = true;
    jest.spyOn(HeldReplay.prototype, 'begin').mockImplementation(function (this: HeldReplay) {
      const start = begin.call(this);
      if (armed) [armed, gateNext] = [false, true]; // the delivery's next call is its link's jetstream()
      return start;
    });
    jest.spyOn(NatsLink.prototype, 'jetstream').mockImplementation(async function (this: NatsLink) {
      if (gateNext) {
        gateNext = false;
        began();
        await opened;
      }
      return jetstream.call(this);
    });
    reader.db.exec(UNLOCK);
    await begun;
    insert(held, 'after the fix', 3);
    await held.transport.exchange(); // beyond what the reader's replay reads again: read in order after it
    const round = reader.transport.exchange().then(
      () => 'ok',
      (error: unknown) => String((error as { code?: unknown }).code),
    ); // it asked for the held senders to be tried again, while the delivery was being set up
    open();
    expect(await round).toBe('ok');
    expect(names(reader)).toEqual(['locked', 'from another server', 'after the fix']);
  });
});
