import { existsSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import express from 'express';
import { silentLogger } from '../../lib/logger';
import type { SyncClient } from '../../lib/peers/sync-client';
import { createSyncNode } from '../../node/create-sync-node';
import { TEST_SCHEMA, tempDb } from '../helpers/data';
import { startFaultProxy, type FaultProxy } from '../helpers/fault-proxy';
import { makeRoots, put } from '../helpers/file-roots';
import { startServer, TEST_TOKEN, type TestServer } from '../helpers/server';
import { TABLES } from '../helpers/snapshot';
import { tempDir } from '../helpers/temp';

// Helper r3's find: the file base with a peer was kept per peer URL, so a peer listed under a new address
// (a new DHCP lease, `localhost` for `127.0.0.1`) started from no base: its first round brought back a file
// the peer had deleted, and turned a file the peer had edited into a conflict copy on both servers. The
// base is between two sites, whatever address joins them: the new URL now takes the base kept with that site.
describe('a peer listed under another address', () => {
  let temp: ReturnType<typeof tempDir>;
  let peerServer: TestServer;
  let proxy: FaultProxy;
  let clients: SyncClient[];
  const closers: Array<() => void> = [];
  let roots: Record<string, string>;
  let peerRoots: Record<string, string>;
  let stateDir: string;
  let local: ReturnType<typeof tempDb>;

  beforeEach(async () => {
    temp = tempDir('ess-r0-address-');
    clients = [];
    const peerData = tempDb(TEST_SCHEMA);
    local = tempDb(TEST_SCHEMA);
    closers.push(() => peerData.cleanup(), () => local.cleanup());
    peerRoots = makeRoots(path.join(temp.dir, 'peer'));
    roots = makeRoots(path.join(temp.dir, 'local'));
    stateDir = path.join(temp.dir, 'state');
    const peerNode = createSyncNode({ token: TEST_TOKEN, logger: silentLogger, database: peerData.db, tables: TABLES, roots: peerRoots });
    peerServer = await startServer(express().use('/api/sync', peerNode.router));
    proxy = await startFaultProxy(Number(new URL(peerServer.url).port));
  });
  afterEach(async () => {
    for (const client of clients) await client.stop(0);
    await proxy.close();
    await peerServer.close();
    for (const close of closers.splice(0)) close();
    temp.cleanup();
  });

  /** This server's sync client, with the peer at `url` (the node is built again, as at a restart with a new SYNC_PEERS). */
  function clientFor(url: string): SyncClient {
    const node = createSyncNode({ logger: silentLogger, peers: [url], token: TEST_TOKEN, database: local.db, tables: TABLES, roots, stateDir });
    const client = node.client as SyncClient;
    clients.push(client);
    return client;
  }

  it('keeps a deletion and an edit made on the peer while it was known under its old address', async () => {
    const before = `${peerServer.url}/api/sync`;
    const after = `${proxy.url}/api/sync`;
    put(roots.uploads as string, 'x.jpg', 'photo x');
    put(roots.uploads as string, 'y.jpg', 'photo y');
    put(roots.config as string, 'event.json', '{"day":1}');
    expect(await clientFor(before).syncPeer(before)).toMatchObject({ ok: true, filesUp: 3 });

    // On the peer, while this server is away: one photo deleted, the event edited.
    put(peerRoots.config as string, 'event.json', '{"day":2}');
    rmSync(path.join(peerRoots.uploads as string, 'x.jpg'));

    const round = await clientFor(after).syncPeer(after);
    expect(round).toMatchObject({ ok: true, filesUp: 0, filesDown: 1, filesDeleted: 1, fileConflicts: [] });
    expect(existsSync(path.join(roots.uploads as string, 'x.jpg'))).toBe(false);
    expect(existsSync(path.join(peerRoots.uploads as string, 'x.jpg'))).toBe(false);
    expect(readFileSync(path.join(roots.config as string, 'event.json'), 'utf8')).toBe('{"day":2}');
    expect(readFileSync(path.join(peerRoots.uploads as string, 'y.jpg'), 'utf8')).toBe('photo y');
  });

  it('does not take a base kept with another site (a peer whose data folder was wiped keeps first-sync rules)', async () => {
    const before = `${peerServer.url}/api/sync`;
    put(roots.uploads as string, 'x.jpg', 'photo x');
    expect(await clientFor(before).syncPeer(before)).toMatchObject({ ok: true, filesUp: 1 });
    // Another server entirely behind the new address: its site differs, so nothing it lacks is deleted here.
    const otherData = tempDb(TEST_SCHEMA);
    closers.push(() => otherData.cleanup());
    const otherRoots = makeRoots(path.join(temp.dir, 'other'));
    const otherNode = createSyncNode({ token: TEST_TOKEN, logger: silentLogger, database: otherData.db, tables: TABLES, roots: otherRoots });
    const other = await startServer(express().use('/api/sync', otherNode.router));
    try {
      proxy.setTarget(Number(new URL(other.url).port));
      const after = `${proxy.url}/api/sync`;
      expect(await clientFor(after).syncPeer(after)).toMatchObject({ ok: true, filesUp: 1, filesDeleted: 0 });
      expect(readFileSync(path.join(otherRoots.uploads as string, 'x.jpg'), 'utf8')).toBe('photo x');
    } finally {
      for (const client of clients.splice(0)) await client.stop(0);
      await other.close();
    }
  });
});
