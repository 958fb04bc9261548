import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { silentLogger } from '../../lib/logger';
import type { PeerSyncResult } from '../../lib/peers/sync-status';
import type { SyncClient } from '../../lib/peers/sync-client';
import { createSyncNode } from '../../node/create-sync-node';
import { TEST_SCHEMA, tempDb, type TempDb } from '../helpers/data';
import { makeRoots, put, tempFilesUnder, treeDigest } from '../helpers/file-roots';
import { startDripProxy, type DripProxy } from '../helpers/h5-drip-proxy';
import { TEST_TOKEN } from '../helpers/server';
import { startPeer, TABLES, type Peer } from '../helpers/snapshot';
import { tempDir } from '../helpers/temp';

// Found by the fault hunt (flaky Wi-Fi): a peer whose link drips its answer
// (a byte every 50 ms) never tripped `peerTimeoutMs`, as each byte was
// progress: its round went on for hours (1 MB at 20 B/s is 14 h), and since
// one peer's file sync runs at a time, every other peer's files waited
// behind it, "syncing" all the while. An answer that brings under 1 KiB in a
// `peerTimeoutMs` is abandoned as a silent one is (PEER_TIMEOUT, unreachable).
// 5 s, not less: the timeout is the healthy peer's too, and on a loaded machine
// one of its answers could take longer than 500 ms (PEER_TIMEOUT, a failed test).
// The drip (20 B/s) still brings far under 1 KiB in it.
const PEER_TIMEOUT_MS = 5000;
/** Bounds each wait, so a round that hangs fails the test instead of timing it out (a few peerTimeoutMs). */
const BOUND_MS = 40_000;

function within<T>(promise: Promise<T>): Promise<T | 'still running'> {
  let timer: NodeJS.Timeout | undefined;
  const bound = new Promise<'still running'>((resolve) => (timer = setTimeout(() => resolve('still running'), BOUND_MS)));
  return Promise.race([promise, bound]).finally(() => clearTimeout(timer));
}

describe('a peer whose link drips its answers', () => {
  let temp: ReturnType<typeof tempDir>;
  let slow: Peer;
  let fine: Peer;
  let proxy: DripProxy;
  let local: TempDb;
  let client: SyncClient;
  let roots: Record<string, string>;
  let slowUrl: string;
  beforeEach(async () => {
    temp = tempDir('ess-h5-drip-');
    slow = await startPeer(temp.dir);
    fine = await startPeer(temp.dir);
    proxy = await startDripProxy(Number(new URL(slow.server.url).port), 64 * 1024, 50);
    slowUrl = `${proxy.url}/api/sync`;
    local = tempDb(TEST_SCHEMA);
    roots = makeRoots(path.join(temp.dir, 'local'));
    const node = createSyncNode({ logger: silentLogger, peers: [slowUrl, fine.syncUrl], token: TEST_TOKEN, database: local.db, tables: TABLES, roots, stateDir: path.join(temp.dir, 'state'), peerTimeoutMs: PEER_TIMEOUT_MS });
    client = node.client as SyncClient;
  });
  afterEach(async () => {
    await client.stop(0);
    await proxy.close();
    await slow.server.close();
    await fine.server.close();
    slow.data.cleanup();
    fine.data.cleanup();
    local.cleanup();
    temp.cleanup();
  });

  it('is abandoned as unreachable, and the other peer’s files do not wait behind it', async () => {
    put(slow.roots.uploads as string, 'big.bin', randomBytes(1_000_000));
    put(fine.roots.uploads as string, 'small.txt', 'hello');
    const slowRound = client.syncPeer(slowUrl);
    const fineRound = client.syncPeer(fine.syncUrl);
    const fineResult = await within(fineRound);
    expect(fineResult).toMatchObject({ ok: true, filesDown: 1 });
    const slowResult = (await within(slowRound)) as PeerSyncResult | 'still running';
    expect(slowResult).toMatchObject({ ok: false, error: { code: 'PEER_TIMEOUT' } });
    expect(client.peerStatuses()[0]).toMatchObject({ state: 'unreachable', lastErrorCode: 'PEER_TIMEOUT' });
    expect(treeDigest(roots.uploads as string)).toBe(treeDigest(fine.roots.uploads as string)); // small.txt only: no half-written big.bin
    expect(tempFilesUnder(roots.uploads as string)).toEqual([]);
  });

  it('syncs the file once the link heals', async () => {
    put(slow.roots.uploads as string, 'big.bin', randomBytes(1_000_000));
    expect(await within(client.syncPeer(slowUrl))).toMatchObject({ ok: false, error: { code: 'PEER_TIMEOUT' } });
    proxy.setDripping(false);
    expect(await within(client.syncPeer(slowUrl))).toMatchObject({ ok: true, filesDown: 1 });
    expect(client.peerStatuses()[0]).toMatchObject({ state: 'ok' });
    expect(treeDigest(roots.uploads as string)).toBe(treeDigest(slow.roots.uploads as string));
  });
});
