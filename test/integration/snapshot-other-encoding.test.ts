import express from 'express';
import { silentLogger } from '../../lib/logger';
import { createSyncNode, type SyncNode } from '../../node/create-sync-node';
import { createSyncRouter } from '../../node/create-sync-router';
import { tableRows, tempDb, type TempDb } from '../helpers/data';
import { startServer, TEST_TOKEN, type TestServer } from '../helpers/server';

/**
 * SQLite attaches no database of another text encoding than the main one: a server whose database is UTF-16 (an
 * empty one, joining) failed to import a UTF-8 peer's snapshot with SQLite's own "attached databases must use the
 * same text encoding as main database", which the join took for a failed download: the round failed, and the next
 * one downloaded the snapshot again and failed so too, before the join gave up and paged. Now the import refuses it
 * with SNAPSHOT_MISMATCH naming both encodings, and the next round pages at once.
 */
const TABLE = 'CREATE TABLE t (k TEXT PRIMARY KEY NOT NULL, v TEXT);';

describe.each([
  ['UTF-16le', 'UTF-8'],
  ['UTF-8', 'UTF-16be'],
])('an empty %s server joining from a %s peer', (joinerEncoding, peerEncoding) => {
  let here: TempDb;
  let there: TempDb;
  let server: TestServer;
  let node: SyncNode;
  afterEach(async () => {
    await node.stop();
    await server.close();
    here.cleanup();
    there.cleanup();
  });

  it('is refused the snapshot with SNAPSHOT_MISMATCH naming both encodings, then pulls page by page', async () => {
    here = tempDb(`PRAGMA encoding = '${joinerEncoding}'; ${TABLE}`);
    there = tempDb(`PRAGMA encoding = '${peerEncoding}'; ${TABLE}`);
    server = await startServer(express().use('/api/sync', createSyncRouter({ token: TEST_TOKEN, logger: silentLogger, database: there.db, tables: ['t'] })));
    node = createSyncNode({ token: TEST_TOKEN, logger: silentLogger, database: here.db, tables: ['t'], peers: [`${server.url}/api/sync`], snapshotMinChanges: 1 });
    there.db.prepare("INSERT INTO t VALUES ('a', 'é'), ('b', 'x\uFFFD')").run();

    const [first] = await node.syncNow();
    expect(first).toMatchObject({ ok: false, error: { code: 'SNAPSHOT_MISMATCH' } });
    expect(JSON.stringify(first)).toContain(`its text encoding is ${peerEncoding}, this database's ${joinerEncoding}`);
    expect(tableRows(here.db, 't', 'k')).toEqual([]);
    const [second] = await node.syncNow();
    expect(second).toMatchObject({ ok: true, rowsPulled: 2 });
    expect(tableRows(here.db, 't', 'k')).toEqual(tableRows(there.db, 't', 'k'));
  });
});
