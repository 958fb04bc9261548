import path from 'node:path';
import { silentLogger } from '../../lib/logger';
import type { SyncClient } from '../../lib/peers/sync-client';
import { createSyncNode } from '../../node/create-sync-node';
import { TEST_SCHEMA, tempDb, type TempDb } from '../helpers/data';
import { startFaultProxy, type FaultProxy } from '../helpers/fault-proxy';
import { makeRoots, put, treeDigest } from '../helpers/file-roots';
import { TEST_TOKEN } from '../helpers/server';
import { addTeams, startPeer, TABLES, type Peer } from '../helpers/snapshot';
import { tempDir } from '../helpers/temp';

// Found by the fault hunt: the file base kept for a peer is per URL. When the
// server at that URL had its data folder wiped and came back (a new site id, no
// files), the old base said every file was synced with it and is gone there: the
// plan deleted them here (held only by the mass-delete guard, for an operator to
// confirm, and the wiped server got nothing back). A base kept with another site
// is no base: the next sync is a first sync, nothing deleted, files copied over.
describe('a peer whose data folder was wiped (a new site id at the same URL)', () => {
  let temp: ReturnType<typeof tempDir>;
  let peer: Peer;
  let proxy: FaultProxy;
  let local: TempDb;
  let client: SyncClient;
  let roots: Record<string, string>;
  beforeEach(async () => {
    temp = tempDir('ess-wiped-');
    peer = await startPeer(temp.dir);
    proxy = await startFaultProxy(Number(new URL(peer.server.url).port));
    local = tempDb(TEST_SCHEMA);
    roots = makeRoots(path.join(temp.dir, 'local'));
    client = createSyncNode({ logger: silentLogger, peers: [`${proxy.url}/api/sync`], token: TEST_TOKEN, database: local.db, tables: TABLES, roots, stateDir: path.join(temp.dir, 'state') }).client as SyncClient;
  });
  afterEach(async () => {
    await client.stop();
    await proxy.close();
    await peer.server.close();
    peer.data.cleanup();
    local.cleanup();
    temp.cleanup();
  });

  it('gets every file back from this server, and nothing is deleted here', async () => {
    const url = `${proxy.url}/api/sync`;
    addTeams(local.db, 3, 'local');
    for (let i = 0; i < 20; i += 1) put(roots.uploads as string, `photo-${i}.txt`, `photo ${i}`);
    put(roots.config as string, 'event.json', '{"event":"regional"}');
    expect(await client.syncPeer(url)).toMatchObject({ ok: true, filesUp: 21 });
    const before = { uploads: treeDigest(roots.uploads as string), config: treeDigest(roots.config as string) };

    await peer.server.close(); // wiped: a new database and empty roots, at the same URL
    peer.data.cleanup();
    peer = await startPeer(temp.dir);
    proxy.setTarget(Number(new URL(peer.server.url).port));

    const after = await client.syncPeer(url);
    expect(after).toMatchObject({ ok: true, filesDeleted: 0, heldDeletions: [] });
    expect({ uploads: treeDigest(roots.uploads as string), config: treeDigest(roots.config as string) }).toEqual(before);
    expect({ uploads: treeDigest(peer.roots.uploads as string), config: treeDigest(peer.roots.config as string) }).toEqual(before);
  });
});
