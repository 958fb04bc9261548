import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { connect } from '@nats-io/transport-node';
import { jetstreamManager } from '@nats-io/jetstream';
import { silentLogger } from '../../lib/logger';
import { createSyncNode, type SyncNode } from '../../node/create-sync-node';
import { TEST_SCHEMA, tempDb, type TempDb } from '../helpers/data';
import { describeWithNats, startNatsServer, type NatsServer } from '../helpers/nats-server';
import { makeApp, startServer, TEST_TOKEN, type TestServer } from '../helpers/server';
import { TABLES } from '../helpers/snapshot';
import { tempDir } from '../helpers/temp';

const STREAM = 'FILES_ONLY_GAP';
const NATS_NAME = `nats:${STREAM}`;

/**
 * A round with a peer that syncs files only is `ok` once its files synced (1e800e0), but it moves no data: a NATS
 * catch-up over HTTP must not count it as caught up. X, whose only HTTP peer F has no database, reads a stream that
 * lost messages (purged): the gap is STREAM_GAP ("no HTTP peer could catch this server up; add a peer that has the
 * data"), not CATCH_UP_INCOMPLETE, which would say a peer caught it up but lacked the messages.
 */
describeWithNats('a NATS catch-up whose only HTTP peer syncs files only (real nats-server, live servers)', () => {
  let temp: ReturnType<typeof tempDir>;
  let nats: NatsServer;
  let filesOnly: TestServer;
  const nodes: Array<{ db: TempDb; node: SyncNode }> = [];

  beforeEach(async () => {
    temp = tempDir('ess-nats-files-only-');
    nats = await startNatsServer();
    mkdirSync(path.join(temp.dir, 'F'));
    filesOnly = await startServer(makeApp({ roots: { config: path.join(temp.dir, 'F') } }));
  });
  afterEach(async () => {
    for (const { db, node } of nodes.splice(0)) {
      await node.stop(0);
      db.cleanup();
    }
    await filesOnly.close();
    await nats.close();
    temp.cleanup();
  });

  function node(options: Omit<Parameters<typeof createSyncNode>[0], 'token' | 'database' | 'tables'>): { db: TempDb; node: SyncNode } {
    const db = tempDb(TEST_SCHEMA);
    const made = { db, node: createSyncNode({ token: TEST_TOKEN, database: db.db, tables: TABLES, logger: silentLogger, transport: { nats: { servers: nats.url, stream: STREAM } }, ...options }) };
    nodes.push(made);
    return made;
  }

  it('the gap is STREAM_GAP, and the last catch-up is not ok', async () => {
    const a = node({});
    a.db.db.prepare("INSERT INTO teams (id, name) VALUES ('a-1', 'before the purge')").run();
    expect(await a.node.client?.syncPeer(NATS_NAME)).toMatchObject({ ok: true, rowsPushed: 1 });
    const nc = await connect({ servers: nats.url });
    await (await jetstreamManager(nc)).streams.purge(STREAM);
    await nc.close();
    a.db.db.prepare("INSERT INTO teams (id, name) VALUES ('a-2', 'after the purge')").run();
    expect(await a.node.client?.syncPeer(NATS_NAME)).toMatchObject({ ok: true });

    mkdirSync(path.join(temp.dir, 'X'));
    const x = node({ roots: { config: path.join(temp.dir, 'X') }, peers: [`${filesOnly.url}/api/sync`], stateDir: path.join(temp.dir, 'X-state') });
    const round = await x.node.client?.syncPeer(NATS_NAME);
    expect(round).toMatchObject({ ok: false, error: { code: 'STREAM_GAP' } });
    expect(await x.node.client?.syncPeer(`${filesOnly.url}/api/sync`)).toMatchObject({ ok: true }); // its own rounds are no failure
    const stream = x.node.client?.transportStatuses().find((entry) => entry.kind === 'nats');
    expect(stream?.nats?.lastCatchUp).toMatchObject({ ok: false });
  });
});
