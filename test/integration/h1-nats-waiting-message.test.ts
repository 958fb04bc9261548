import { randomUUID } from 'node:crypto';
import type { ChangeTracker } from '../../lib/data/change-tracker';
import { NatsTransport } from '../../lib/peers/nats/nats-transport';
import { resolveNatsOptions } from '../../lib/peers/nats/nats-options';
import { tableRows, trackedDb, type TempDb } from '../helpers/data';
import { describeWithNats, startNatsServer, type NatsServer } from '../helpers/nats-server';

type Node = TempDb & { readonly tracker: ChangeTracker; transport: NatsTransport };

const HOUR_MS = 3_600_000;

describeWithNats('a stream message that must wait (CLOCK_SKEW) names its sender, and says what waits with it (real nats-server)', () => {
  let server: NatsServer;
  const nodes: Node[] = [];

  function node(): Node {
    const temp = trackedDb();
    const config = resolveNatsOptions({ servers: server.url, stream: 'WAITS' });
    const created: Node = { ...temp, transport: new NatsTransport(config, { data: temp.tracker, peerTimeoutMs: 5000, tokens: ['a-fleet-token-of-the-test-1'] }) };
    nodes.push(created);
    return created;
  }

  beforeEach(async () => {
    server = await startNatsServer();
  });
  afterEach(async () => {
    for (const each of nodes.splice(0)) {
      await each.transport.close();
      each.cleanup();
    }
    await server.close();
  });

  it('a laptop an hour ahead: the others wait at its message, and the error says which site sent it and that every later message waits too', async () => {
    const [ahead, other, reader] = [node(), node(), node()];
    // The laptop's clock was an hour ahead when it wrote (its log's last clock, as a write then leaves it).
    ahead.db.prepare('INSERT INTO teams (id, name, number) VALUES (?, ?, ?)').run(randomUUID(), 'written an hour ahead', 1);
    ahead.db.prepare('UPDATE _sync_log SET hlc = hlc + ? WHERE seq = (SELECT max(seq) FROM _sync_log)').run(HOUR_MS * 1024);
    ahead.db.prepare('INSERT INTO teams (id, name, number) VALUES (?, ?, ?)').run(randomUUID(), 'also ahead', 2);
    await ahead.transport.exchange();
    other.db.prepare('INSERT INTO teams (id, name, number) VALUES (?, ?, ?)').run(randomUUID(), 'from a server with a right clock', 3);
    await other.transport.exchange().catch(() => undefined); // it waits at the same message

    const failure = await reader.transport.exchange().then(
      () => undefined,
      (error: unknown) => error as Error & { code?: string },
    );
    expect(failure?.code).toBe('CLOCK_SKEW');
    expect(failure?.message).toContain(`stream message 1 (ess.WAITS.${ahead.tracker.siteId})`);
    expect(failure?.message).toMatch(/every later message waits with it/);
    expect(failure?.message).toMatch(/3600 s ahead/);
    expect(reader.transport.status().lastError).toMatchObject({ code: 'CLOCK_SKEW', message: failure?.message });
    expect(tableRows(reader.db, 'teams')).toEqual([]);
  });
});
