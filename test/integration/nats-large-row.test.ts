import { randomUUID } from 'node:crypto';
import type { ChangeTracker } from '../../lib/data/change-tracker';
import { NatsTransport } from '../../lib/peers/nats/nats-transport';
import { resolveNatsOptions } from '../../lib/peers/nats/nats-options';
import { trackedDb, type TempDb } from '../helpers/data';
import { describeWithNats, startNatsServer, type NatsServer } from '../helpers/nats-server';

const SMALL_PAYLOAD = `listen: 127.0.0.1:{PORT}
jetstream { store_dir: "{STORE}" }
max_payload: 16384
`;

describeWithNats('a row larger than the NATS server takes', () => {
  let server: NatsServer;
  let node: TempDb & { readonly tracker: ChangeTracker; transport: NatsTransport };

  beforeEach(async () => {
    server = await startNatsServer(SMALL_PAYLOAD);
    const temp = trackedDb();
    node = { ...temp, transport: new NatsTransport(resolveNatsOptions({ servers: server.url, stream: 'BIGROW', maxMessageBytes: 8192 }), { data: temp.tracker, peerTimeoutMs: 10_000 }) };
  });
  afterEach(async () => {
    await node.transport.close();
    node.cleanup();
    await server.close();
  });

  it('sizes pages to the server\'s max_payload when maxMessageBytes is larger (the default): every row is published, in several messages', async () => {
    await node.transport.close();
    node.transport = new NatsTransport(resolveNatsOptions({ servers: server.url, stream: 'BIGROW' }), { data: node.tracker, peerTimeoutMs: 10_000 });
    const insert = node.db.prepare('INSERT INTO teams (id, name, number) VALUES (?, ?, ?)');
    node.db.transaction(() => {
      for (let i = 0; i < 600; i += 1) insert.run(randomUUID(), `team ${i} ${'n'.repeat(60)}`, i);
    })();
    await node.transport.exchange();
    const status = node.transport.status();
    expect(status.state).not.toBe('failing');
    expect(status.lastError).toBeNull();
    expect(status.nats?.unpublished).toBe(0);
    expect(status.nats?.messagesPublished).toBeGreaterThan(3);
  });

  it('stops publishing with ROW_TOO_LARGE naming the row and max_payload, and /status says failing with changes not yet published', async () => {
    node.db.prepare('INSERT INTO teams (id, name, number) VALUES (?, ?, ?)').run('huge-team', 'x'.repeat(40_000), 1);
    node.db.prepare('INSERT INTO teams (id, name, number) VALUES (?, ?, ?)').run(randomUUID(), 'written after it', 2);
    const failure = await node.transport.exchange().then(
      () => undefined,
      (error: unknown) => error as Error & { code?: string },
    );
    expect(failure?.code).toBe('ROW_TOO_LARGE');
    expect(failure?.message).toMatch(/teams \["huge-team"\].*max_payload, 16384 bytes, less 1024 for the headers: 15360/);
    const status = node.transport.status();
    expect(status.state).toBe('failing');
    expect(status.lastError?.code).toBe('ROW_TOO_LARGE');
    expect(status.nats?.unpublished).toBeGreaterThan(0);
  });
});
