import { randomUUID } from 'node:crypto';
import { natsNodes } from '../helpers/nats-nodes';
import { describeWithNats } from '../helpers/nats-server';

const settle = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * An app that closes its database before it stops the sync (`db.close(); await
 * node.stop()`, a common shutdown order): the NATS publisher's next look for
 * local writes (every 50 ms) threw 'The database connection is not open' from a
 * timer, an uncaught exception that killed the process. HTTP rounds already
 * took it as a failed round.
 */
describeWithNats('the app closes its database while the NATS transport runs (real nats-server)', () => {
  const nats = natsNodes();

  it('is a failed look, never an uncaught exception; the transport still closes', async () => {
    const [a, b] = [nats.node({ stream: 'CLOSED' }), nats.node({ stream: 'CLOSED' })];
    a.db.prepare('INSERT INTO teams (id, name, number) VALUES (?, ?, ?)').run(randomUUID(), 'Before the close', 1);
    a.transport.start();
    await a.transport.exchange();
    await b.transport.exchange();
    expect(b.db.prepare('SELECT count(*) FROM teams').pluck().get()).toBe(1);
    a.db.close();
    await settle(600); // a dozen looks (publishIntervalMs 50): the first one threw before the fix
    await a.transport.close();
  });
});
