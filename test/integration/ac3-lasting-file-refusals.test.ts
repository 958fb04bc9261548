import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { silentLogger } from '../../lib/logger';
import type { SyncClient } from '../../lib/peers/sync-client';
import { createSyncNode } from '../../node/create-sync-node';
import { TEST_SCHEMA, tempDb } from '../helpers/data';
import { makeRoots, put, SQLITE_BYTES } from '../helpers/file-roots';
import { startServer, TEST_TOKEN, type TestServer } from '../helpers/server';
import { TABLES } from '../helpers/snapshot';
import { tempDir } from '../helpers/temp';
import express from 'express';

// Found by helper ac3 with two sample apps: a file over the peer's maxUploadBytes (413
// FILE_TOO_LARGE), or a file at the path where the other side holds a database by its
// content (DB_CONTENT_REFUSED, from the peer or here), fails its step at every round
// and never heals by itself, yet every round was `ok` and the peer `ok` on /status:
// the file never arrived and nothing but a warning line said so. Such a round now
// fails with the step's code, as one with PATH_CONFLICT does; the data still flows.
describe('a file step the peer or this server refuses at every round', () => {
  let temp: ReturnType<typeof tempDir>;
  let peer: TestServer;
  let client: SyncClient;
  let roots: Record<string, string>;
  let peerRoots: Record<string, string>;
  const cleanups: Array<() => void> = [];
  /** What each side holds at `relative` (undefined: nothing). */
  const held = (relative: string): Array<Buffer | undefined> =>
    [roots, peerRoots].map((side) => path.join(side.uploads as string, relative)).map((file) => (existsSync(file) ? readFileSync(file) : undefined));

  beforeEach(async () => {
    temp = tempDir('ess-ac3-lasting-');
    const peerData = tempDb(TEST_SCHEMA);
    const local = tempDb(TEST_SCHEMA);
    cleanups.push(peerData.cleanup, local.cleanup);
    peerRoots = makeRoots(path.join(temp.dir, 'peer'));
    roots = makeRoots(path.join(temp.dir, 'local'));
    const peerNode = createSyncNode({ token: TEST_TOKEN, logger: silentLogger, database: peerData.db, tables: TABLES, roots: peerRoots, maxUploadBytes: 1024 });
    const app = express();
    app.use('/api/sync', peerNode.router);
    peer = await startServer(app);
    const node = createSyncNode({ logger: silentLogger, peers: [`${peer.url}/api/sync`], token: TEST_TOKEN, database: local.db, tables: TABLES, roots, stateDir: path.join(temp.dir, 'state') });
    client = node.client as SyncClient;
  });
  afterEach(async () => {
    await client.stop(0);
    await peer.close();
    for (const cleanup of cleanups.splice(0)) cleanup();
    temp.cleanup();
  });

  it.each([
    ['a file over the peer\'s maxUploadBytes', 'FILE_TOO_LARGE', () => put(roots.uploads as string, 'big.bin', Buffer.alloc(4096, 7)), 'big.bin'],
    ['a file where the peer holds a database', 'DB_CONTENT_REFUSED', () => (put(roots.uploads as string, 'store', 'a plain file'), put(peerRoots.uploads as string, 'store', SQLITE_BYTES)), 'store'],
    ['a database here where the peer holds a file', 'DB_CONTENT_REFUSED', () => (put(roots.uploads as string, 'store', SQLITE_BYTES), put(peerRoots.uploads as string, 'store', 'a plain file')), 'store'],
  ])('%s: the round fails with %s at every round, each side keeping what it has', async (_name, code, arrange, relative) => {
    arrange();
    const before = held(relative);
    for (let attempt = 0; attempt < 2; attempt += 1) {
      const round = await client.syncPeer(`${peer.url}/api/sync`);
      expect(round.fileErrors).toEqual([expect.objectContaining({ path: `uploads/${relative}`, code })]);
      expect(round.ok).toBe(false);
      expect(round.error?.code).toBe(code);
    }
    expect(client.peerStatuses()[0]).toMatchObject({ state: 'failing', lastErrorCode: code });
    expect(held(relative)).toEqual(before);
  });
});
