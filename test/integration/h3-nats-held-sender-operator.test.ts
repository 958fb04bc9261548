import { connect } from '@nats-io/transport-node';
import { jetstreamManager } from '@nats-io/jetstream';
import { heldSenderNodes, insertTeam as insert, teamNames as names, UNLOCK_TRIGGER as UNLOCK, type HeldSenderFleet } from '../helpers/k3-held-sender';
import type { NatsNode } from '../helpers/nats-nodes';
import { describeWithNats } from '../helpers/nats-server';

/**
 * A sender held at a message that waits (an app trigger on the reader refuses
 * it) while a careless operator kills nats-server and starts it again, or
 * deletes the stream by hand: every round ends in a code, stop() returns, and
 * once the trigger is fixed nothing is lost.
 */
describeWithNats('a held sender while nats-server restarts or the stream is deleted (real nats-server)', () => {
  const STREAM = 'HELD_OPERATOR';
  const nats = heldSenderNodes(STREAM);
  /** A round's failure code, or 'ok'. */
  async function round(at: NatsNode): Promise<string> {
    return at.transport.exchange().then(
      () => 'ok',
      (error: unknown) => String((error as { code?: unknown }).code),
    );
  }
  /**
   * Rounds until one ends with `code` (the link reconnects in the background),
   * for at most 60 s, 50 ms apart: a bound in time, not in rounds, since how
   * many rounds fail before the reconnect depends on how fast they fail.
   */
  async function roundsUntil(at: NatsNode, code: string): Promise<string[]> {
    const seen: string[] = [];
    for (const deadline = Date.now() + 60_000; seen.at(-1) !== code && Date.now() < deadline; ) {
      if (seen.length > 0) await new Promise((resolve) => setTimeout(resolve, 50));
      seen.push(await round(at));
    }
    return seen;
  }

  async function heldFleet(): Promise<HeldSenderFleet> {
    const fleet = await nats.fleet();
    expect(await round(fleet.reader)).toBe('APPLY_REFUSED');
    expect(names(fleet.reader)).toEqual(['from another server']);
    return fleet;
  }

  it('nats-server killed and started again: rounds say NATS_UNREACHABLE, then the hold is still there, then everything arrives', async () => {
    const { held, other, reader } = await heldFleet();
    await nats.server().kill9();
    expect(await round(reader)).toBe('NATS_UNREACHABLE');
    expect(reader.transport.status().lastError?.code).toBe('NATS_UNREACHABLE');
    await nats.server().restart();
    insert(other, 'written while nats-server was down', 3);
    expect((await roundsUntil(other, 'ok')).at(-1)).toBe('ok');
    expect((await roundsUntil(reader, 'APPLY_REFUSED')).at(-1)).toBe('APPLY_REFUSED');
    expect(names(reader)).toEqual(['from another server', 'written while nats-server was down']);

    reader.db.exec(UNLOCK);
    insert(held, 'after the fix', 4);
    expect((await roundsUntil(held, 'ok')).at(-1)).toBe('ok');
    expect(await round(reader)).toBe('ok');
    expect(names(reader)).toEqual(['locked', 'from another server', 'written while nats-server was down', 'after the fix']);
    expect(reader.db.pragma('integrity_check', { simple: true })).toBe('ok');
  }, 180_000); // rounds until the link is back, each wait bounded at 60 s

  it('the stream deleted by hand: the hold goes with it, the senders publish again, and once fixed nothing is lost', async () => {
    const { held, other, reader } = await heldFleet();
    const nc = await connect({ servers: nats.server().url });
    try {
      await (await jetstreamManager(nc)).streams.delete(STREAM);
    } finally {
      await nc.close();
    }
    // Each server notices the new stream and publishes what it has again; the reader's trigger still refuses the held row.
    for (const each of [held, other]) expect((await roundsUntil(each, 'ok')).at(-1)).toBe('ok');
    expect((await roundsUntil(reader, 'APPLY_REFUSED')).at(-1)).toBe('APPLY_REFUSED');
    expect(names(reader)).toEqual(['from another server']);

    reader.db.exec(UNLOCK);
    expect((await roundsUntil(reader, 'ok')).at(-1)).toBe('ok');
    expect(names(reader)).toEqual(['locked', 'from another server']);
    expect(reader.transport.status().lastError).toBeNull();
  }, 180_000); // rounds until the link is back, each wait bounded at 60 s
});
