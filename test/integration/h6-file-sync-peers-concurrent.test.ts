import { createHash, randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import express from 'express';
import request from 'supertest';
import { silentLogger } from '../../lib/logger';
import type { SyncClient } from '../../lib/peers/sync-client';
import type { PeerSyncResult } from '../../lib/peers/sync-status';
import { createSyncNode } from '../../node/create-sync-node';
import { TEST_SCHEMA, tempDb, type TempDb } from '../helpers/data';
import { makeRoots, put, tempFilesUnder, treeDigest } from '../helpers/file-roots';
import { startSlowLink, type SlowLink } from '../helpers/h6-slow-link';
import { TEST_TOKEN } from '../helpers/server';
import { startPeer, TABLES, type Peer } from '../helpers/snapshot';
import { tempDir } from '../helpers/temp';

// Found by the fault hunt (flaky Wi-Fi): one peer's file sync ran at a time,
// so a long transfer from a peer on a weak link (steady progress, never a
// PEER_TIMEOUT) held every other peer's file sync for as long as it took:
// the pit laptop's photos from the venue server waited behind a 500 MB log
// trickling in from a laptop at the far end of the hall. Each root now syncs
// with one peer at a time, and a round takes its roots as they are free: the
// other peers' rounds sync every other root meanwhile, then wait for that one
// (two peers' syncs of one root at once can pass versions of a file round a
// ring of servers for ever: see h5-three-servers-random-faults).
/** Bounds each wait, so a round that hangs fails the test instead of timing it out. */
const BOUND_MS = 20_000;
/** 8 MiB through a link passing 4 KiB every 20 ms: 40 s, far past every bound here, until released. */
const BIG_BYTES = 8 * 1024 * 1024;

function within<T>(promise: Promise<T>): Promise<T | 'still running'> {
  let timer: NodeJS.Timeout | undefined;
  const bound = new Promise<'still running'>((resolve) => (timer = setTimeout(() => resolve('still running'), BOUND_MS)));
  return Promise.race([promise, bound]).finally(() => clearTimeout(timer));
}

async function until(condition: () => boolean): Promise<void> {
  for (const started = Date.now(); !condition(); await new Promise((resolve) => setTimeout(resolve, 20))) {
    if (Date.now() - started > BOUND_MS) throw new Error('condition not met in time');
  }
}

function sha256(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}

describe('file sync with several peers, one of them on a slow link', () => {
  let temp: ReturnType<typeof tempDir>;
  let slow: Peer;
  let fine: Peer;
  let link: SlowLink;
  let local: TempDb;
  let client: SyncClient;
  let app: express.Express;
  let roots: Record<string, string>;
  let slowUrl: string;
  beforeEach(async () => {
    temp = tempDir('ess-h6-concurrent-');
    slow = await startPeer(temp.dir);
    fine = await startPeer(temp.dir);
    link = await startSlowLink(Number(new URL(slow.server.url).port), 4096, 20);
    slowUrl = `${link.url}/api/sync`;
    local = tempDb(TEST_SCHEMA);
    roots = makeRoots(path.join(temp.dir, 'local'));
    const node = createSyncNode({ logger: silentLogger, peers: [slowUrl, fine.syncUrl], token: TEST_TOKEN, database: local.db, tables: TABLES, roots, stateDir: path.join(temp.dir, 'state') });
    client = node.client as SyncClient;
    app = express().use('/api/sync', node.router);
  });
  afterEach(async () => {
    link.release();
    await client.stop(0);
    await link.close();
    await slow.server.close();
    await fine.server.close();
    slow.data.cleanup();
    fine.data.cleanup();
    local.cleanup();
    temp.cleanup();
  });

  it('brings the other peer’s files of every other root while the slow transfer is still on its way', async () => {
    const big = randomBytes(BIG_BYTES);
    put(slow.roots.logs as string, 'big.log', big);
    put(fine.roots.uploads as string, 'small.txt', 'hello');
    put(fine.roots.logs as string, 'fine.log', 'a line');
    const slowRound = client.syncPeer(slowUrl);
    await until(() => tempFilesUnder(roots.logs as string).length > 0); // big.log is arriving
    const fineRound = client.syncPeer(fine.syncUrl);
    await until(() => existsSync(path.join(roots.uploads as string, 'small.txt')));
    expect(readFileSync(path.join(roots.uploads as string, 'small.txt'), 'utf8')).toBe('hello');
    expect(link.passed()).toBeLessThan(BIG_BYTES); // big.log is still on its way
    link.release();
    expect(await within(slowRound)).toMatchObject({ ok: true, filesDown: 1 });
    expect(await within(fineRound)).toMatchObject({ ok: true, filesDown: 2 }); // logs once the slow round let go of it
    expect(sha256(readFileSync(path.join(roots.logs as string, 'big.log')))).toBe(sha256(big));
    expect(readFileSync(path.join(roots.logs as string, 'fine.log'), 'utf8')).toBe('a line');
    expect(tempFilesUnder(roots.logs as string)).toEqual([]);
  });

  it('ends with one whole file, a conflict copy and a true listing when both peers bring the same path', async () => {
    const slowBytes = randomBytes(BIG_BYTES);
    put(slow.roots.uploads as string, 'same.bin', slowBytes);
    put(fine.roots.uploads as string, 'same.bin', 'the fine peer’s version');
    const slowRound = client.syncPeer(slowUrl);
    await until(() => tempFilesUnder(roots.uploads as string).length > 0);
    const fineRound = client.syncPeer(fine.syncUrl); // uploads is the slow round's until it ends
    link.release();
    expect(await within(slowRound)).toMatchObject({ ok: true, filesDown: 1, fileErrors: [] });
    const fineResult = (await within(fineRound)) as PeerSyncResult;
    expect(fineResult).toMatchObject({ ok: true, fileErrors: [] });
    expect(fineResult.fileConflicts).toHaveLength(1);
    const held = readFileSync(path.join(roots.uploads as string, 'same.bin'));
    expect(sha256(held)).toBe(sha256(slowBytes)); // this server's version (it had it first) stays at the path
    const listing = await request(app).get('/api/sync/files/checksums').query({ path: 'uploads' }).set('Authorization', `Bearer ${TEST_TOKEN}`);
    expect(listing.body.files).toEqual(expect.arrayContaining([expect.objectContaining({ path: 'same.bin', sha256: sha256(held), size: held.length })]));
    // A few rounds later every server holds the same two files: the path and one conflict copy.
    for (let round = 0; round < 3; round += 1) await within(client.syncAll());
    expect(treeDigest(roots.uploads as string)).toBe(treeDigest(slow.roots.uploads as string));
    expect(treeDigest(roots.uploads as string)).toBe(treeDigest(fine.roots.uploads as string));
    expect(tempFilesUnder(roots.uploads as string)).toEqual([]);
  });
});
