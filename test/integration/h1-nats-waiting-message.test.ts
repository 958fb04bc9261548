import { randomUUID } from 'node:crypto';
import { natsNodes, type NatsNode } from '../helpers/nats-nodes';
import { describeWithNats } from '../helpers/nats-server';

type Node = NatsNode;

const HOUR_MS = 3_600_000;

describeWithNats('a stream message that must wait (CLOCK_SKEW) names its sender and holds only that sender (real nats-server)', () => {
  const nats = natsNodes();

  function node(): Node {
    return nats.node({ stream: 'WAITS' }, { peerTimeoutMs: 5000, tokens: ['a-fleet-token-of-the-test-1'] });
  }


  it('a laptop an hour ahead: its messages wait, the error says which site sent it, and the other server\'s rows still arrive', async () => {
    const [ahead, other, reader] = [node(), node(), node()];
    // The laptop's clock was an hour ahead when it wrote (its log's last clock, as a write then leaves it).
    ahead.db.prepare('INSERT INTO teams (id, name, number) VALUES (?, ?, ?)').run(randomUUID(), 'written an hour ahead', 1);
    ahead.db.prepare('UPDATE _sync_log SET hlc = hlc + ? WHERE seq = (SELECT max(seq) FROM _sync_log)').run(HOUR_MS * 1024);
    ahead.db.prepare('INSERT INTO teams (id, name, number) VALUES (?, ?, ?)').run(randomUUID(), 'also ahead', 2);
    await ahead.transport.exchange();
    other.db.prepare('INSERT INTO teams (id, name, number) VALUES (?, ?, ?)').run(randomUUID(), 'from a server with a right clock', 3);
    await other.transport.exchange().catch(() => undefined); // it holds the laptop's messages, and publishes its own

    const failure = await reader.transport.exchange().then(
      () => undefined,
      (error: unknown) => error as Error & { code?: string },
    );
    expect(failure?.code).toBe('CLOCK_SKEW');
    expect(failure?.message).toContain(`stream message 1 (ess.WAITS.${ahead.tracker.siteId})`);
    expect(failure?.message).toMatch(/its sender's later messages wait behind it/);
    // An hour less the seconds between the write and the apply (a loaded machine took more than one).
    const secondsAhead = Number(/(\d+) s ahead/.exec(failure?.message ?? '')?.[1]);
    expect(secondsAhead).toBeGreaterThan(3500);
    expect(secondsAhead).toBeLessThanOrEqual(3600);
    expect(reader.transport.status().lastError).toMatchObject({ code: 'CLOCK_SKEW', message: failure?.message });
    // Only the laptop is held: the server with a right clock is not stuck behind it.
    expect(reader.db.prepare('SELECT name FROM teams').pluck().all()).toEqual(['from a server with a right clock']);
  });
});
