import { randomUUID } from 'node:crypto';
import { resolveNatsOptions } from '../../lib/peers/nats/nats-options';
import { NatsTransport } from '../../lib/peers/nats/nats-transport';
import { trackedDb } from '../helpers/data';
import { describeWithNats, startNatsServer } from '../helpers/nats-server';

/**
 * A nats-server without JetStream: what `apt-get install nats-server` starts as a
 * service on Debian (127.0.0.1:4222, /etc/nats-server.conf without `jetstream`),
 * the very URL of the README's local try. The round said only 'NATS answered with
 * an error (…): jetstream is not enabled', naming neither -js nor the service's file.
 */
describeWithNats('a nats-server without JetStream (Debian\'s nats-server service as installed)', () => {
  it('fails the round with NATS_ERROR saying to start it with -js or add jetstream to its configuration', async () => {
    const server = await startNatsServer('listen: 127.0.0.1:{PORT}\n');
    const temp = trackedDb();
    const transport = new NatsTransport(resolveNatsOptions({ servers: `nats://127.0.0.1:${server.port}`, stream: 'NOJS', requestTimeoutMs: 3000 }), { data: temp.tracker, peerTimeoutMs: 5000 });
    try {
      temp.db.prepare('INSERT INTO teams (id, name, number) VALUES (?, ?, ?)').run(randomUUID(), 'Waiting', 1);
      const failure = await transport.exchange().then(
        () => undefined,
        (error: unknown) => error as Error & { code?: string },
      );
      expect(failure?.code).toBe('NATS_ERROR');
      expect(failure?.message).toMatch(/runs without JetStream.*-js.*jetstream \{ store_dir.*\/etc\/nats-server\.conf/);
      expect(transport.status().lastError?.message).toBe(failure?.message);
    } finally {
      await transport.close();
      temp.cleanup();
      await server.close();
    }
  });
});
