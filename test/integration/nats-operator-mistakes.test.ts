import { randomUUID } from 'node:crypto';
import type { ChangeTracker } from '../../lib/data/change-tracker';
import { NatsTransport } from '../../lib/peers/nats/nats-transport';
import { resolveNatsOptions } from '../../lib/peers/nats/nats-options';
import { trackedDb, type TempDb } from '../helpers/data';
import { describeWithNats, startNatsServer, type NatsServer } from '../helpers/nats-server';

describeWithNats('NATS settings an operator gets wrong', () => {
  let server: NatsServer;
  let node: (TempDb & { readonly tracker: ChangeTracker; transport: NatsTransport }) | undefined;

  beforeEach(async () => {
    server = await startNatsServer(); // plain text only
  });
  afterEach(async () => {
    await node?.transport.close();
    node?.cleanup();
    node = undefined;
    await server.close();
  });

  it('never connects in plain text to a server without TLS: NATS_UNREACHABLE saying so, nothing published', async () => {
    const temp = trackedDb();
    node = { ...temp, transport: new NatsTransport(resolveNatsOptions({ servers: `tls://127.0.0.1:${server.port}`, stream: 'TLS', requestTimeoutMs: 3000 }), { data: temp.tracker, peerTimeoutMs: 5000 }) };
    temp.db.prepare('INSERT INTO teams (id, name, number) VALUES (?, ?, ?)').run(randomUUID(), 'Secret plans', 1);
    const failure = await node.transport.exchange().then(
      () => undefined,
      (error: unknown) => error as Error & { code?: string },
    );
    // Before, the client took tls:// for a host name and published the row in plain text.
    expect(failure?.code).toBe('NATS_UNREACHABLE');
    expect(failure?.message).toMatch(/does not speak TLS.*never falls back to plain text/);
  });

  it('nats-server stopped after the server connected: a round fails with NATS_UNREACHABLE (the link is down), not NATS_TIMEOUT', async () => {
    const temp = trackedDb();
    node = { ...temp, transport: new NatsTransport(resolveNatsOptions({ servers: `nats://127.0.0.1:${server.port}`, stream: 'DOWN', requestTimeoutMs: 5000 }), { data: temp.tracker, peerTimeoutMs: 10_000 }) }; // long: the link's loss must be seen first even on a loaded machine (1 s could pass before its close was read)
    temp.db.prepare('INSERT INTO teams (id, name, number) VALUES (?, ?, ?)').run(randomUUID(), 'Before', 3);
    await node.transport.exchange(); // connected, published
    await server.kill9();
    temp.db.prepare('INSERT INTO teams (id, name, number) VALUES (?, ?, ?)').run(randomUUID(), 'During', 4);
    const failure = await node.transport.exchange().then(
      () => undefined,
      (error: unknown) => error as Error & { code?: string },
    );
    expect(failure?.code).toBe('NATS_UNREACHABLE');
    expect(failure?.message).toMatch(/the connection to NATS is down/);
  });

  it('a domain no JetStream answers in is named as such (not only "jetstream is not enabled", which sends the operator to -js)', async () => {
    const temp = trackedDb();
    node = { ...temp, transport: new NatsTransport(resolveNatsOptions({ servers: `nats://127.0.0.1:${server.port}`, stream: 'DOMAIN', domain: 'hub', requestTimeoutMs: 3000 }), { data: temp.tracker, peerTimeoutMs: 5000 }) };
    temp.db.prepare('INSERT INTO teams (id, name, number) VALUES (?, ?, ?)').run(randomUUID(), 'Far away', 2);
    const failure = await node.transport.exchange().then(
      () => undefined,
      (error: unknown) => error as Error & { code?: string },
    );
    expect(failure?.code).toBe('NATS_ERROR');
    expect(failure?.message).toMatch(/no JetStream answered in the domain "hub".*transport\.nats\.domain.*SYNC_NATS_DOMAIN/);
  });
});
