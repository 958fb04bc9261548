import { connect, headers } from '@nats-io/transport-node';
import { jetstream } from '@nats-io/jetstream';
import { resolveNatsOptions } from '../../lib/peers/nats/nats-options';
import { NatsTransport } from '../../lib/peers/nats/nats-transport';
import { heldSenderNodes, insertTeam as insert, LOCK_TRIGGER as LOCK, teamNames as names, UNLOCK_TRIGGER as UNLOCK } from '../helpers/k3-held-sender';
import { describeWithNats } from '../helpers/nats-server';

/**
 * One sender's message that must wait (here an app trigger on the reader
 * refuses it: APPLY_REFUSED) holds that sender only: the other senders'
 * changes keep flowing, the held sender's later messages wait behind its
 * first (never applied out of order, never skipped), `/status` names it,
 * and once the cause is fixed everything arrives, also after a restart.
 */
describeWithNats('one sender whose message must wait does not stall the others (real nats-server)', () => {
  const STREAM = 'HELD_SENDER';
  const nats = heldSenderNodes(STREAM);

  it("applies the other senders' messages, keeps the held sender's later ones behind its first, and names it on /status", async () => {
    const { held, other, reader } = await nats.fleet();
    insert(held, 'written after the locked one', 3);
    await held.transport.exchange();
    insert(other, 'another one from the other server', 4);
    await other.transport.exchange();

    await expect(reader.transport.exchange()).rejects.toMatchObject({ code: 'APPLY_REFUSED', message: expect.stringContaining(`ess.${STREAM}.${held.tracker.siteId}`) });
    expect(names(reader)).toEqual(['from another server', 'another one from the other server']);
    const status = reader.transport.status();
    expect(status.state).toBe('failing');
    expect(status.lastError).toMatchObject({ code: 'APPLY_REFUSED', message: expect.stringContaining(`stream message 1 (ess.${STREAM}.${held.tracker.siteId})`) });

    // Still held on the next round, and a newer write of the other server still flows.
    insert(other, 'a third from the other server', 5);
    await other.transport.exchange();
    await expect(reader.transport.exchange()).rejects.toMatchObject({ code: 'APPLY_REFUSED' });
    expect(names(reader)).toEqual(['from another server', 'another one from the other server', 'a third from the other server']);

    reader.db.exec(UNLOCK);
    await reader.transport.exchange();
    expect(names(reader)).toEqual(['locked', 'from another server', 'written after the locked one', 'another one from the other server', 'a third from the other server']);
    expect(reader.transport.status()).toMatchObject({ lastError: null });
    expect(reader.transport.status().state).not.toBe('failing');
  });

  it('keeps the hold across a restart: the held messages arrive once fixed, none lost', async () => {
    const [held, other, reader] = [nats.node(), nats.node(), nats.node()];
    reader.db.exec(LOCK);
    insert(held, 'locked', 1);
    insert(held, 'in the same look', 2);
    await held.transport.exchange();
    insert(other, 'from another server', 3);
    await other.transport.exchange();
    await expect(reader.transport.exchange()).rejects.toMatchObject({ code: 'APPLY_REFUSED' });
    expect(names(reader)).toEqual(['from another server']);
    await reader.transport.close();

    reader.db.exec(UNLOCK);
    const again = new NatsTransport(resolveNatsOptions({ servers: nats.server().url, stream: STREAM }), { data: reader.tracker, peerTimeoutMs: 5000 });
    try {
      await again.exchange();
      expect(names(reader)).toEqual(['locked', 'in the same look', 'from another server']);
      expect(again.status().lastError).toBeNull();
    } finally {
      await again.close();
    }
  });

  it("a sender whose pages carry another schema (SCHEMA_MISMATCH) is held; the other senders' pages are applied meanwhile", async () => {
    const [writer, reader] = [nats.node(), nats.node()];
    await reader.transport.exchange(); // creates the stream
    const stranger = `ess.${STREAM}.${'b'.repeat(32)}`;
    insert(writer, 'from a server of this schema', 1);
    const nc = await connect({ servers: nats.server().url });
    try {
      const h = headers();
      h.set('Ess-Schema', 'f'.repeat(64));
      await jetstream(nc).publish(stranger, JSON.stringify(writer.tracker.readChanges(0, 100)), { headers: h });
    } finally {
      await nc.close();
    }
    await expect(writer.transport.exchange()).rejects.toMatchObject({ code: 'SCHEMA_MISMATCH' }); // published; the stranger's page waits there too
    await expect(reader.transport.exchange()).rejects.toMatchObject({ code: 'SCHEMA_MISMATCH', message: expect.stringContaining(`stream message 1 (${stranger})`) });
    expect(names(reader)).toEqual(['from a server of this schema']);
    expect(reader.transport.status()).toMatchObject({ state: 'failing', position: 0, lastError: { code: 'SCHEMA_MISMATCH' } });
  });
});
