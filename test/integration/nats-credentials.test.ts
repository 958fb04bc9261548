import { randomUUID } from 'node:crypto';
import type { ChangeTracker } from '../../lib/data/change-tracker';
import { NatsTransport } from '../../lib/peers/nats/nats-transport';
import { resolveNatsOptions } from '../../lib/peers/nats/nats-options';
import { dbDigest, trackedDb, type TempDb } from '../helpers/data';
import { describeWithNats, startNatsServer, type NatsServer } from '../helpers/nats-server';

type Node = TempDb & { readonly tracker: ChangeTracker; transport: NatsTransport };

const PASSWORD = 's3cr3t-pass-that-must-never-show';
const AUTH_CONFIG = `listen: 127.0.0.1:{PORT}
jetstream { store_dir: "{STORE}" }
authorization { user: fleet, password: "${PASSWORD}" }
`;

describeWithNats('NATS credentials written in the server URL (SYNC_NATS_URL=nats://user:pass@host)', () => {
  let server: NatsServer;
  const nodes: Node[] = [];

  function node(url: string, requestTimeoutMs?: number): Node {
    const temp = trackedDb();
    const created: Node = { ...temp, transport: new NatsTransport(resolveNatsOptions({ servers: url, stream: 'AUTH', requestTimeoutMs }), { data: temp.tracker, peerTimeoutMs: 10_000 }) };
    nodes.push(created);
    return created;
  }

  beforeEach(async () => {
    server = await startNatsServer(AUTH_CONFIG);
  });
  afterEach(async () => {
    for (const each of nodes.splice(0)) {
      await each.transport.close();
      each.cleanup();
    }
    await server.close();
  });

  it('log in with the user and password of the URL, and never show the password', async () => {
    const url = `nats://fleet:${encodeURIComponent(PASSWORD)}@127.0.0.1:${server.port}`;
    const [a, b] = [node(url), node(url)];
    a.db.prepare('INSERT INTO teams (id, name, number) VALUES (?, ?, ?)').run(randomUUID(), 'Authenticated', 1);
    await a.transport.exchange();
    await b.transport.exchange();
    expect(dbDigest(b.db, true)).toBe(dbDigest(a.db, true));
    expect(JSON.stringify([a.transport.status(), b.transport.status()])).not.toContain(PASSWORD);
  });

  it('a wrong password fails plainly, without the password in the error', async () => {
    const wrong = 'not-the-password-either';
    const a = node(`nats://fleet:${wrong}@127.0.0.1:${server.port}`);
    a.db.prepare('INSERT INTO teams (id, name, number) VALUES (?, ?, ?)').run(randomUUID(), 'Refused', 2);
    const failure = await a.transport.exchange().then(
      () => undefined,
      (error: unknown) => error as Error & { code?: string },
    );
    expect(failure?.code).toBe('NATS_UNREACHABLE');
    expect(failure?.message).toMatch(/refused this server's credentials \(Authorization Violation\): check the user and password/);
    expect(`${failure?.message ?? ''} ${JSON.stringify(a.transport.status())}`).not.toContain(wrong);
  });

  it('a NATS server gone down is a documented code with a hint, on the exchange and on /status', async () => {
    const a = node(`nats://fleet:${encodeURIComponent(PASSWORD)}@127.0.0.1:${server.port}`, 1000);
    await a.transport.exchange();
    await server.kill9();
    a.db.prepare('INSERT INTO teams (id, name, number) VALUES (?, ?, ?)').run(randomUUID(), 'While down', 3);
    const failure = await a.transport.exchange().then(
      () => undefined,
      (error: unknown) => error as Error & { code?: string },
    );
    expect(['NATS_TIMEOUT', 'NATS_UNREACHABLE']).toContain(failure?.code);
    expect(failure?.message).toMatch(/127\.0\.0\.1/);
    expect(failure?.message).not.toContain(PASSWORD);
    expect(a.transport.status().lastError?.code).toBe(failure?.code);
    await server.restart();
  });
});
