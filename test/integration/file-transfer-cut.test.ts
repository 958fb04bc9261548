import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { silentLogger } from '../../lib/logger';
import type { SyncClient } from '../../lib/peers/sync-client';
import { createSyncNode } from '../../node/create-sync-node';
import { TEST_SCHEMA, tempDb, type TempDb } from '../helpers/data';
import { startFaultProxy, type FaultDirection, type FaultProxy } from '../helpers/fault-proxy';
import { makeRoots, put, treeDigest } from '../helpers/file-roots';
import { TEST_TOKEN } from '../helpers/server';
import { startPeer, TABLES, type Peer } from '../helpers/snapshot';
import { tempDir } from '../helpers/temp';

// Found by the fault hunt: a file download or upload whose connection was cut
// midway was a per-file FILE_SYNC_FAILED ("aborted", "socket hang up") in a
// round reported ok, so /status said the peer was ok while it was unreachable,
// and the steps after it each waited for the peer that was gone. The step
// carries the link's code, the root stops there, and the round fails as the
// peer's (`ECONNRESET`, state `unreachable`); the next round syncs the file.
describe('a file transfer whose connection is cut midway', () => {
  let temp: ReturnType<typeof tempDir>;
  let peer: Peer;
  let proxy: FaultProxy;
  let local: TempDb;
  let client: SyncClient;
  let roots: Record<string, string>;
  let url: string;
  beforeEach(async () => {
    temp = tempDir('ess-file-cut-');
    peer = await startPeer(temp.dir);
    proxy = await startFaultProxy(Number(new URL(peer.server.url).port));
    url = `${proxy.url}/api/sync`;
    local = tempDb(TEST_SCHEMA);
    roots = makeRoots(path.join(temp.dir, 'local'));
    const node = createSyncNode({ logger: silentLogger, peers: [url], token: TEST_TOKEN, database: local.db, tables: TABLES, roots, stateDir: path.join(temp.dir, 'state') });
    client = node.client as SyncClient;
  });
  afterEach(async () => {
    await client.stop();
    await proxy.close();
    await peer.server.close();
    peer.data.cleanup();
    local.cleanup();
    temp.cleanup();
  });

  it.each<[string, FaultDirection]>([
    ['download', 'down'],
    ['upload', 'up'],
  ])('fails the round as the link’s (%s), then syncs the file once the link heals', async (_step, direction) => {
    const [from, to] = direction === 'down' ? [peer.roots, roots] : [roots, peer.roots];
    put(from.uploads as string, 'photo.bin', randomBytes(2_000_000));
    put(from.uploads as string, 'zz-after.txt', 'waits for the next round');
    proxy.setPlan(() => ({ kind: 'cut', direction, afterBytes: 500_000 }));
    const cut = await client.syncPeer(url);
    expect(cut.ok).toBe(false);
    // A cut seen while reading is ECONNRESET; one seen while still writing the upload, EPIPE (by timing, under load): both the link's.
    const linkCut = expect.stringMatching(/^(?:ECONNRESET|EPIPE)$/) as unknown as string;
    expect(cut.error?.code).toEqual(linkCut);
    expect(cut.fileErrors).toEqual([expect.objectContaining({ path: 'uploads/photo.bin', code: linkCut })]);
    expect(client.peerStatuses()[0]).toMatchObject({ state: 'unreachable', lastErrorCode: linkCut });
    proxy.heal();
    const healed = await client.syncPeer(url);
    expect(healed).toMatchObject({ ok: true, fileErrors: [] });
    expect(treeDigest(to.uploads as string)).toBe(treeDigest(from.uploads as string));
  });
});
