import { randomUUID } from 'node:crypto';
import { resolveNatsOptions } from '../../lib/peers/nats/nats-options';
import { NatsTransport } from '../../lib/peers/nats/nats-transport';
import { trackedDb, type TempDb } from '../helpers/data';
import { describeWithNats, startNatsServer, type NatsServer } from '../helpers/nats-server';
import type { ChangeTracker } from '../../lib/data/change-tracker';

type Db = TempDb & { readonly tracker: ChangeTracker };

/**
 * An app trigger that RAISEs while a stream message is applied: the message
 * must wait (as over HTTP, where the pull does not move), not be passed over
 * for good, so the row arrives once the trigger lets merges through.
 */
describeWithNats('a NATS message this server\'s schema refuses: an app trigger (APPLY_REFUSED), an expression failing on a value (INVALID_VALUE)', () => {
  let nats: NatsServer;
  const dbs: Db[] = [];
  const transports: NatsTransport[] = [];

  function node(): { db: Db; transport: NatsTransport } {
    const db = trackedDb();
    dbs.push(db);
    const transport = new NatsTransport(resolveNatsOptions({ servers: nats.url, stream: 'REFUSED_BY_TRIGGER', requestTimeoutMs: 2000 }), { data: db.tracker, peerTimeoutMs: 5000 });
    transports.push(transport);
    return { db, transport };
  }

  beforeEach(async () => {
    nats = await startNatsServer();
  });
  afterEach(async () => {
    for (const transport of transports.splice(0)) await transport.close();
    for (const db of dbs.splice(0)) db.cleanup();
    await nats.close();
  });

  it('waits, reported as APPLY_REFUSED, and is applied once the trigger is fixed', async () => {
    const writer = node();
    const reader = node();
    reader.db.db.exec("CREATE TRIGGER no_locked BEFORE INSERT ON teams WHEN new.name = 'locked' BEGIN SELECT RAISE(ABORT, 'locked teams are read-only'); END");
    writer.db.db.prepare('INSERT INTO teams (id, name, number) VALUES (?, ?, ?)').run(randomUUID(), 'locked', 1);
    await writer.transport.exchange();
    await expect(reader.transport.exchange()).rejects.toMatchObject({ code: 'APPLY_REFUSED' });
    expect(reader.transport.status()).toMatchObject({ lastError: expect.objectContaining({ code: 'APPLY_REFUSED' }) });

    reader.db.db.exec("DROP TRIGGER no_locked; CREATE TRIGGER no_locked BEFORE INSERT ON teams WHEN new.name = 'locked' AND (SELECT applying FROM _sync_state) = 0 BEGIN SELECT RAISE(ABORT, 'locked teams are read-only'); END");
    await reader.transport.exchange();
    expect(reader.db.db.prepare('SELECT name FROM teams').pluck().all()).toEqual(['locked']);
  });

  // An expression of the receiver's own schema (here an app trigger's json_extract) failing on a value of a
  // stream message is answered INVALID_VALUE (400), as over HTTP, where the pull does not move and the page comes
  // again: the message must wait the same way (its sender held), not be passed over for good; once the
  // receiver's schema is fixed, every row of the message arrives.
  it('waits, reported as INVALID_VALUE, and is applied whole once the receiver drops the failing expression', async () => {
    const writer = node();
    const reader = node();
    reader.db.db.exec("CREATE TRIGGER json_names BEFORE INSERT ON teams WHEN new.name LIKE 'x%' BEGIN SELECT json_extract(new.name, '$.a'); END");
    const insert = writer.db.db.prepare('INSERT INTO teams (id, name, number) VALUES (?, ?, ?)');
    writer.db.db.transaction(() => {
      insert.run(randomUUID(), 'plain', 1);
      insert.run(randomUUID(), 'x not json', 2);
    })();
    await writer.transport.exchange();
    await expect(reader.transport.exchange()).rejects.toMatchObject({ code: 'INVALID_VALUE' });

    reader.db.db.exec('DROP TRIGGER json_names');
    await reader.transport.exchange();
    expect(reader.db.db.prepare('SELECT name FROM teams ORDER BY name').pluck().all()).toEqual(['plain', 'x not json']);
  });
});
