import { randomUUID } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { enableCapture } from '../../lib/data/capture';
import type { ChangeTracker } from '../../lib/data/change-tracker';
import { adoptSnapshotFile } from '../../lib/data/snapshot-adopt';
import { SnapshotSource } from '../../lib/data/snapshot-source';
import { resolveNatsOptions } from '../../lib/peers/nats/nats-options';
import { NatsTransport } from '../../lib/peers/nats/nats-transport';
import { dbDigest, trackedDb, type TempDb } from '../helpers/data';
import { describeWithNats, startNatsServer, type NatsServer } from '../helpers/nats-server';
import { tempDir } from '../helpers/temp';

describeWithNats('a server started from a snapshot, on NATS', () => {
  let server: NatsServer;
  let temp: ReturnType<typeof tempDir>;
  let source: TempDb & { readonly tracker: ChangeTracker };
  const transports: NatsTransport[] = [];
  const opened: Database.Database[] = [];

  beforeEach(async () => {
    server = await startNatsServer();
    temp = tempDir('ess-nats-snap-');
    source = trackedDb();
  });
  afterEach(async () => {
    for (const transport of transports.splice(0)) await transport.close();
    for (const db of opened.splice(0)) db.close();
    source.cleanup();
    temp.cleanup();
    await server.close();
  });

  function onNats(tracker: ChangeTracker): NatsTransport {
    const transport = new NatsTransport(resolveNatsOptions({ servers: server.url, stream: 'SNAP' }), { data: tracker, peerTimeoutMs: 10_000 });
    transports.push(transport);
    return transport;
  }

  it('publishes only what it writes, never the snapshot it started from', async () => {
    const insert = source.db.prepare('INSERT INTO teams (id, name, number) VALUES (?, ?, ?)');
    for (let i = 0; i < 40; i += 1) insert.run(randomUUID(), `from the source ${i}`, i);
    const fromSource = onNats(source.tracker);
    await fromSource.exchange();

    const lease = await new SnapshotSource(source.db, ['teams', 'reports']).acquire();
    const file = path.join(temp.dir, 'joined.db');
    writeFileSync(file, readFileSync(lease.file));
    lease.release();
    adoptSnapshotFile(file, { site: lease.site, seq: lease.seq });
    const joined = new Database(file);
    opened.push(joined);
    const tracker = enableCapture(joined, { tables: ['teams', 'reports'] });
    const fromJoined = onNats(tracker);
    await fromJoined.exchange();
    expect(fromJoined.status().nats?.messagesPublished).toBe(0);
    expect(fromJoined.status().nats?.messagesApplied).toBe(0); // it reads on from the source's position, not the whole stream again

    joined.prepare('INSERT INTO teams (id, name, number) VALUES (?, ?, ?)').run(randomUUID(), 'written after the join', 99);
    expect(await fromJoined.exchange()).toMatchObject({ rowsOut: 1 });
    await fromSource.exchange();
    expect(dbDigest(source.db, true)).toBe(dbDigest(joined, true));
  });
});
