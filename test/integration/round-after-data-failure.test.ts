import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import express from 'express';
import { silentLogger } from '../../lib/logger';
import { createSyncNode, type SyncNode } from '../../node/create-sync-node';
import { createSyncRouter } from '../../node/create-sync-router';
import { makeRoots, put } from '../helpers/file-roots';
import { trackedDb, type TempDb } from '../helpers/data';
import { startServer, TEST_TOKEN, type TestServer } from '../helpers/server';
import { tempDir } from '../helpers/temp';

describe('a round whose data part fails after the handshake', () => {
  let temp: ReturnType<typeof tempDir>;
  let here: TempDb;
  let there: TempDb;
  let server: TestServer;
  let node: SyncNode;

  beforeEach(async () => {
    temp = tempDir();
    [here, there] = [trackedDb(), trackedDb()];
    const thereRoots = makeRoots(path.join(temp.dir, 'there'));
    const app = express().use('/api/sync', createSyncRouter({ token: TEST_TOKEN, logger: silentLogger, roots: thereRoots, database: there.db, tables: ['teams', 'reports'], maxChangesetBytes: 4096 }));
    server = await startServer(app);
    node = createSyncNode({
      token: TEST_TOKEN,
      logger: silentLogger,
      roots: makeRoots(path.join(temp.dir, 'here')),
      stateDir: path.join(temp.dir, 'state'),
      database: here.db,
      tables: ['teams', 'reports'],
      peers: [`${server.url}/api/sync`],
      peerCompression: 'identity',
    });
  });
  afterEach(async () => {
    await node.stop();
    await server.close();
    here.cleanup();
    there.cleanup();
    temp.cleanup();
  });

  it('still syncs the files, and reports the data failure', async () => {
    // One row larger than the peer takes in a changeset: the push fails even for that row alone.
    here.db.prepare('INSERT INTO teams (id, name, number) VALUES (?, ?, ?)').run('big', 'x'.repeat(20_000), 1);
    put(path.join(temp.dir, 'here', 'config'), 'event.json', '{"event":"regional"}');
    const [result] = await node.syncNow();
    expect(result?.ok).toBe(false);
    expect(result?.error?.code).toBe('ROW_TOO_LARGE'); // no smaller page can carry it: named, not retried in halves forever
    expect(result?.error?.message).toContain('teams ["big"]');
    expect(result?.error?.message).toContain('maxChangesetBytes');
    const copied = path.join(temp.dir, 'there', 'config', 'event.json');
    expect(existsSync(copied)).toBe(true);
    expect(readFileSync(copied, 'utf8')).toBe('{"event":"regional"}');
  });
});
