import { randomUUID } from 'node:crypto';
import { enableCapture } from '../../lib/data/capture';
import type { ChangeTracker } from '../../lib/data/change-tracker';
import { NatsTransport } from '../../lib/peers/nats/nats-transport';
import { resolveNatsOptions } from '../../lib/peers/nats/nats-options';
import type { CatchUpOutcome } from '../../lib/peers/nats/stream-coverage';
import { trackedDb, type TempDb } from '../helpers/data';
import { describeWithNats, startNatsServer, type NatsServer } from '../helpers/nats-server';

const STREAM = 'UNHELD';

interface Server {
  readonly temp: TempDb;
  tracker: ChangeTracker;
  transport: NatsTransport;
}

describeWithNats('a rolling migration whose old-schema page is caught up from a peer that never had it (real nats-server)', () => {
  let nats: NatsServer;
  const servers: Server[] = [];
  /** The HTTP peer's round succeeds, but it never had the sender's rows (an empty server), and reads no stream. */
  const lackingPeer = (): Promise<CatchUpOutcome> => Promise.resolve({ ok: true, coverage: [] });

  function transportOf(tracker: ChangeTracker): NatsTransport {
    return new NatsTransport(resolveNatsOptions({ servers: nats.url, stream: STREAM }), { data: tracker, peerTimeoutMs: 10_000, catchUp: lackingPeer });
  }
  function start(): Server {
    const temp = trackedDb();
    const server: Server = { temp, tracker: temp.tracker, transport: transportOf(temp.tracker) };
    servers.push(server);
    return server;
  }
  async function migrate(server: Server): Promise<void> {
    await server.transport.close();
    server.temp.db.exec('ALTER TABLE teams ADD COLUMN city TEXT');
    server.tracker = enableCapture(server.temp.db, { tables: ['teams', 'reports'] });
    server.transport = transportOf(server.tracker);
  }
  function addTeam(server: Server, name: string): void {
    server.temp.db.prepare('INSERT INTO teams (id, name, number) VALUES (?, ?, ?)').run(randomUUID(), name, 1);
  }
  const names = (server: Server): string[] => server.temp.db.prepare('SELECT name FROM teams ORDER BY name').pluck().all() as string[];

  beforeEach(async () => {
    nats = await startNatsServer();
  });
  afterEach(async () => {
    for (const server of servers.splice(0)) {
      await server.transport.close();
      server.temp.cleanup();
    }
    await nats.close();
  });

  it('passes the page over and reads on, but says CATCH_UP_INCOMPLETE rather than ok: the row is not here', async () => {
    const [a, b] = [start(), start()];
    await migrate(a); // A first
    addTeam(b, 'B before its migration');
    await b.transport.exchange(); // published with the old schema
    await migrate(b);
    addTeam(b, 'B after its migration'); // its first page of the new schema tells A that B migrated
    await b.transport.exchange();

    await expect(a.transport.exchange()).rejects.toMatchObject({ code: 'CATCH_UP_INCOMPLETE', message: expect.stringContaining('messages 1-1 ') as string });
    expect(names(a)).toEqual(['B after its migration']);
    expect(a.transport.status()).toMatchObject({ state: 'failing', lastError: { code: 'CATCH_UP_INCOMPLETE' }, nats: { lastCatchUp: { ok: false } } });
  });
});
