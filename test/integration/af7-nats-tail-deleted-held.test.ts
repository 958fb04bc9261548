import { resolveNatsOptions } from '../../lib/peers/nats/nats-options';
import { NatsTransport } from '../../lib/peers/nats/nats-transport';
import { heldSenderNodes, insertTeam as insert, LOCK_TRIGGER, teamNames as names, UNLOCK_TRIGGER } from '../helpers/k3-held-sender';
import { asNatsOperator } from '../helpers/nats-operator';
import { describeWithNats } from '../helpers/nats-server';

const STREAM = 'AF7_TAIL_HELD';

/**
 * The stream's last message deleted (`nats stream rmm`) while a sender is held on the reader. The round crossed a
 * deleted tail only when no sender was held as it began: a round begun with one waited for a message at the last
 * sequence that never comes (NATS_TIMEOUT after peerTimeoutMs, /status saying so instead of why the sender is held,
 * APPLY_REFUSED with its fix); a sender found held during the round made it cross from the applied position,
 * STREAM_GAP 'no longer has messages 1-3' for messages still stored. Now it reads up to the last message stored and
 * ends with the held sender's error; once the sender is let go, the deleted tail is crossed as for any server. A held
 * sender whose page was the deleted tail (the operator removed the page the reader refused) lost it: that is crossed.
 */
describeWithNats('af7: a deleted stream tail while a sender is held (real nats-server)', () => {
  const nodes = heldSenderNodes(STREAM);

  it('af7-nats-tail-deleted-held: the round ends with the held sender\'s APPLY_REFUSED, not NATS_TIMEOUT; once let go, the tail is crossed', async () => {
    const { held, other, reader } = await nodes.fleet(); // 1: held's 'locked', 2: other's row
    insert(other, 'deleted', 3);
    await other.transport.exchange(); // 3: deleted before the reader reads it
    await asNatsOperator(nodes.server().url, (jsm) => jsm.streams.deleteMessage(STREAM, 3));
    const started = Date.now();
    const failure = await reader.transport.exchange().then(
      () => undefined,
      (error: unknown) => error as { code?: unknown; message: string },
    );
    expect(failure).toMatchObject({ code: 'APPLY_REFUSED', message: expect.stringContaining(`ess.${STREAM}.${held.tracker.siteId}`) });
    expect(Date.now() - started).toBeLessThan(5000); // peerTimeoutMs: not waited out
    expect(reader.transport.status().lastError).toMatchObject({ code: 'APPLY_REFUSED' });
    expect(names(reader)).toEqual(['from another server']);

    // A round begun with the sender known to be held: the same (it waited for the last sequence, NATS_TIMEOUT).
    const again = Date.now();
    await expect(reader.transport.exchange()).rejects.toMatchObject({ code: 'APPLY_REFUSED' });
    expect(Date.now() - again).toBeLessThan(5000);

    reader.db.exec(UNLOCK_TRIGGER); // the fix: the held sender's page applies, then the deleted tail is crossed (no HTTP peer: STREAM_GAP)
    const after = await reader.transport.exchange().then(
      () => 'ok',
      (error: unknown) => String((error as { code?: unknown }).code),
    );
    expect(after).toBe('STREAM_GAP');
    expect(reader.transport.status().lastError?.message).toMatch(/no longer has messages 3-3/);
    expect(names(reader)).toEqual(['locked', 'from another server']);
  }, 60_000);

  it('af7-nats-tail-deleted-held: the held page itself deleted (the tail): STREAM_GAP for it at once, also after a restart, never ok', async () => {
    const [held, other, reader] = [nodes.node(), nodes.node(), nodes.node()];
    reader.db.exec(LOCK_TRIGGER);
    insert(other, 'from another server', 1);
    await other.transport.exchange(); // 1
    insert(held, 'locked', 2);
    await held.transport.exchange(); // 2: refused by the reader, its sender held
    const outcome = (): Promise<string> => reader.transport.exchange().then(
      () => 'ok',
      (error: unknown) => String((error as { code?: unknown }).code),
    );
    expect(await outcome()).toBe('APPLY_REFUSED');
    await asNatsOperator(nodes.server().url, (jsm) => jsm.streams.deleteMessage(STREAM, 2)); // nats stream rmm: the page that waits is gone
    const started = Date.now();
    expect(await outcome()).toBe('STREAM_GAP');
    expect(Date.now() - started).toBeLessThan(5000); // peerTimeoutMs: not waited out
    expect(reader.transport.status().lastError?.message).toMatch(/no longer has messages 2-2/);

    // Started again (the hold is kept in its database, its reason from before the start): still told, not 'ok'.
    await reader.transport.close();
    reader.transport = new NatsTransport(resolveNatsOptions({ servers: nodes.server().url, stream: STREAM }), { data: reader.tracker, peerTimeoutMs: 5000 });
    expect(await outcome()).toBe('STREAM_GAP');
    expect(reader.transport.status().lastError?.message).toMatch(/no longer has messages 2-2/);
    expect(names(reader)).toEqual(['from another server']);
  }, 60_000);
});
