import { randomUUID } from 'node:crypto';
import { enableCapture } from '../../lib/data/capture';
import type { ChangeTracker } from '../../lib/data/change-tracker';
import { NatsTransport } from '../../lib/peers/nats/nats-transport';
import { resolveNatsOptions } from '../../lib/peers/nats/nats-options';
import { dbDigest, pullAll, trackedDb, type TempDb } from '../helpers/data';
import { describeWithNats, startNatsServer, type NatsServer } from '../helpers/nats-server';
import type { CatchUpOutcome } from '../../lib/peers/nats/stream-coverage';

const STREAM = 'ROLLING';
const TABLES = { tables: ['teams', 'reports'] };

/** One server: its database, and the tracker and transport of its current run (both made again at a restart). */
interface Server {
  readonly temp: TempDb;
  tracker: ChangeTracker;
  transport: NatsTransport;
}

describeWithNats('a rolling migration on a NATS fleet (real nats-server)', () => {
  let nats: NatsServer;
  const servers: Server[] = [];

  /** The HTTP catch-up a fleet with HTTP peers has: a pull from every other server, refused (false) while their schemas differ; with what each answers it holds of the stream. */
  function catchUpFor(server: () => Server): () => Promise<CatchUpOutcome> {
    return () => {
      try {
        const others = servers.filter((other) => other !== server());
        for (const other of others) pullAll(other.tracker, server().tracker);
        return Promise.resolve({ ok: true, coverage: others.flatMap((other) => other.transport.coverage() ?? []) });
      } catch {
        return Promise.resolve({ ok: false, coverage: [] });
      }
    };
  }

  function transportOf(server: () => Server, tracker: ChangeTracker, withHttp: boolean): NatsTransport {
    return new NatsTransport(resolveNatsOptions({ servers: nats.url, stream: STREAM }), { data: tracker, peerTimeoutMs: 10_000, catchUp: withHttp ? catchUpFor(server) : undefined });
  }

  function start(withHttp: boolean): Server {
    const temp = trackedDb();
    const server: Server = { temp, tracker: temp.tracker, transport: undefined as unknown as NatsTransport };
    server.transport = transportOf(() => server, temp.tracker, withHttp);
    servers.push(server);
    return server;
  }

  /** Stop, migrate (a column added), start again: the operator's rolling upgrade of one server. */
  async function migrate(server: Server, withHttp: boolean, alter = true): Promise<void> {
    await server.transport.close();
    if (alter) server.temp.db.exec('ALTER TABLE teams ADD COLUMN city TEXT');
    server.tracker = enableCapture(server.temp.db, TABLES);
    server.transport = transportOf(() => server, server.tracker, withHttp);
  }

  function addTeams(server: Server, count: number, prefix: string): void {
    const insert = server.temp.db.prepare('INSERT INTO teams (id, name, number) VALUES (?, ?, ?)');
    for (let i = 0; i < count; i += 1) insert.run(randomUUID(), `${prefix} ${i}`, i);
  }

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

  it('goes on once every server is migrated: the pages a server published before its migration are caught up over HTTP and passed over, not waited for forever', async () => {
    const [a, b] = [start(true), start(true)];
    addTeams(a, 3, 'A');
    await a.transport.exchange();
    await b.transport.exchange();
    await migrate(a, true); // A first
    a.temp.db.prepare("UPDATE teams SET city = 'Lyon' WHERE number = 0").run();
    await a.transport.exchange();
    addTeams(b, 2, 'B before its migration'); // B keeps writing, and publishes with its old schema
    await expect(b.transport.exchange()).rejects.toMatchObject({ code: 'SCHEMA_MISMATCH' }); // A's page waits: B is not migrated
    await migrate(b, true);
    await b.transport.exchange(); // A's pages apply now
    addTeams(b, 1, 'B after its migration'); // its first page of the new schema tells A that B migrated
    await b.transport.exchange();
    await a.transport.exchange(); // B's page of the old schema: caught up over HTTP, then passed over; B's new page applies
    addTeams(b, 1, 'B later');
    await b.transport.exchange();
    await a.transport.exchange();
    expect(a.temp.db.prepare('SELECT count(*) FROM teams').pluck().get()).toBe(7);
    expect(dbDigest(a.temp.db, true)).toBe(dbDigest(b.temp.db, true));
    expect(a.transport.status()).toMatchObject({ lag: 0, lastError: null, nats: { messagesRefused: 0 } });
  });

  it('without an HTTP peer, says the page can only come over HTTP now (not "migrate every server"), and waits', async () => {
    const [a, b] = [start(false), start(false)];
    addTeams(a, 1, 'A');
    await a.transport.exchange();
    await b.transport.exchange();
    await migrate(a, false);
    addTeams(b, 1, 'B before its migration');
    await expect(b.transport.exchange()).resolves.toBeDefined();
    await migrate(b, false);
    addTeams(b, 1, 'B after its migration');
    await b.transport.exchange();
    const waiting = a.transport.exchange();
    await expect(waiting).rejects.toMatchObject({ code: 'SCHEMA_MISMATCH', message: expect.stringContaining('HTTP') });
    await expect(waiting).rejects.not.toMatchObject({ message: expect.stringContaining('migrate every server') });
  });

  it('a migration run while a server runs makes the stream wait (SCHEMA_CHANGED), never passes its messages over: they apply after the restart', async () => {
    const [a, b] = [start(true), start(true)];
    addTeams(a, 1, 'A');
    await a.transport.exchange();
    await b.transport.exchange();
    b.temp.db.exec('ALTER TABLE teams ADD COLUMN city TEXT'); // on the running server B
    addTeams(a, 2, 'A while B is changed');
    await a.transport.exchange();
    await expect(b.transport.exchange()).rejects.toMatchObject({ code: 'SCHEMA_CHANGED' });
    expect(b.transport.status()).toMatchObject({ position: 1, nats: { messagesRefused: 0 } });
    // B restarts (its migration captured), A runs the same migration (stopped, started): the page B waited at, of
    // A's old schema, is caught up over HTTP; A's later pages apply from the stream.
    await migrate(b, true, false);
    await migrate(a, true);
    addTeams(a, 1, 'A after');
    await a.transport.exchange();
    await b.transport.exchange();
    expect(b.temp.db.prepare('SELECT count(*) FROM teams').pluck().get()).toBe(4);
    expect(dbDigest(b.temp.db, true)).toBe(dbDigest(a.temp.db, true));
  });

  it('a UNIQUE index added while a server runs (same fingerprint): the stream waits, then applies after the restart, over NATS alone', async () => {
    const [a, b] = [start(false), start(false)];
    addTeams(a, 1, 'A');
    await a.transport.exchange();
    await b.transport.exchange();
    b.temp.db.exec('CREATE UNIQUE INDEX teams_name ON teams (name)'); // on the running server B
    addTeams(a, 2, 'A while B is changed');
    await a.transport.exchange();
    await expect(b.transport.exchange()).rejects.toMatchObject({ code: 'SCHEMA_CHANGED' });
    expect(b.transport.status()).toMatchObject({ position: 1, nats: { messagesRefused: 0 } });
    await migrate(b, false, false); // restarted: its capture knows the index now
    await b.transport.exchange();
    expect(b.temp.db.prepare('SELECT count(*) FROM teams').pluck().get()).toBe(3);
    const rows = (server: Server): unknown[] => server.temp.db.prepare('SELECT * FROM teams ORDER BY id').raw(true).all();
    expect(rows(b)).toEqual(rows(a)); // the rows: B's schema has the index, A's not yet
  });
});
