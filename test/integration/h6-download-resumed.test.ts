import { randomBytes } from 'node:crypto';
import { closeSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import path from 'node:path';
import express from 'express';
import { silentLogger } from '../../lib/logger';
import type { SyncClient } from '../../lib/peers/sync-client';
import { createSyncNode } from '../../node/create-sync-node';
import { TEST_SCHEMA, tempDb, type TempDb } from '../helpers/data';
import { startFaultProxy, type FaultProxy } from '../helpers/fault-proxy';
import { makeRoots, put, tempFilesUnder } from '../helpers/file-roots';
import { startServer, TEST_TOKEN, type TestServer } from '../helpers/server';
import { TABLES } from '../helpers/snapshot';
import { tempDir } from '../helpers/temp';

// Flaky Wi-Fi: a download cut off at 90 % started again from nothing at the
// next round, so a large file over a link that drops every few minutes might
// never arrive. A download the link cuts off is now kept (hidden, reserved, never
// listed), and the next download of the same bytes (the peer still lists the
// same SHA-256) asks only for the rest (`Range: bytes=<kept>-`); the whole
// file's hash is checked before the rename all the same.
const SIZE = 4 * 1024 * 1024;
const CUT_AFTER = Math.floor(SIZE * 0.9);

describe('a download cut off by the link', () => {
  let temp: ReturnType<typeof tempDir>;
  let peerData: TempDb;
  let peerRoots: Record<string, string>;
  let peer: TestServer;
  let proxy: FaultProxy;
  let local: TempDb;
  let client: SyncClient;
  let roots: Record<string, string>;
  let url: string;
  /** The `Range` of every download of uploads/video.bin the peer was asked for, in order. */
  let ranges: Array<string | undefined>;
  beforeEach(async () => {
    temp = tempDir('ess-h6-resume-');
    ranges = [];
    peerData = tempDb(TEST_SCHEMA);
    peerRoots = makeRoots(path.join(temp.dir, 'peer'));
    const peerNode = createSyncNode({ token: TEST_TOKEN, logger: silentLogger, database: peerData.db, tables: TABLES, roots: peerRoots });
    const app = express();
    app.use('/api/sync/files/download', (req, _res, next) => {
      if (req.method === 'GET' && req.query.path === 'uploads/video.bin') ranges.push(req.headers.range);
      next();
    });
    app.use('/api/sync', peerNode.router);
    peer = await startServer(app);
    proxy = await startFaultProxy(peer.port);
    url = `${proxy.url}/api/sync`;
    local = tempDb(TEST_SCHEMA);
    roots = makeRoots(path.join(temp.dir, 'local'));
    const node = createSyncNode({ logger: silentLogger, peers: [url], token: TEST_TOKEN, database: local.db, tables: TABLES, roots, stateDir: path.join(temp.dir, 'state') });
    client = node.client as SyncClient;
  });
  afterEach(async () => {
    await client.stop(0);
    await proxy.close();
    await peer.close();
    peerData.cleanup();
    local.cleanup();
    temp.cleanup();
  });

  async function cutRound(): Promise<void> {
    proxy.setPlan(() => ({ kind: 'cut', direction: 'down', afterBytes: CUT_AFTER }));
    const cut = await client.syncPeer(url);
    expect(cut.fileErrors).toEqual([expect.objectContaining({ path: 'uploads/video.bin', code: 'ECONNRESET' })]);
    expect(tempFilesUnder(roots.uploads as string)).toHaveLength(1); // kept for the next try
    proxy.heal();
  }

  function startOf(range: string | undefined): number {
    return Number(/^bytes=(\d+)-/.exec(range ?? '')?.[1] ?? Number.NaN);
  }

  it('asks only for the rest next time, and lands the whole file', async () => {
    const video = randomBytes(SIZE);
    put(peerRoots.uploads as string, 'video.bin', video);
    await cutRound();
    expect(await client.syncPeer(url)).toMatchObject({ ok: true, filesDown: 1, fileErrors: [] });
    expect(ranges).toHaveLength(2);
    expect(ranges[0]).toBe(`bytes=0-${SIZE - 1}`);
    expect(startOf(ranges[1])).toBeGreaterThan(SIZE / 2);
    expect(ranges[1]).toMatch(new RegExp(`-${SIZE - 1}$`));
    expect(readFileSync(path.join(roots.uploads as string, 'video.bin')).equals(video)).toBe(true);
    expect(tempFilesUnder(roots.uploads as string)).toEqual([]);
  });

  it('starts again from nothing when the file changed on the peer meanwhile', async () => {
    put(peerRoots.uploads as string, 'video.bin', randomBytes(SIZE));
    await cutRound();
    const edited = randomBytes(SIZE);
    put(peerRoots.uploads as string, 'video.bin', edited);
    expect(await client.syncPeer(url)).toMatchObject({ ok: true, filesDown: 1, fileErrors: [] });
    expect(ranges.map(startOf)).toEqual([0, 0]);
    expect(readFileSync(path.join(roots.uploads as string, 'video.bin')).equals(edited)).toBe(true);
    expect(tempFilesUnder(roots.uploads as string)).toEqual([]);
  });

  it('checks the whole file: a kept part spoiled meanwhile is refused and the file fetched again', async () => {
    const video = randomBytes(SIZE);
    put(peerRoots.uploads as string, 'video.bin', video);
    await cutRound();
    const [kept] = tempFilesUnder(roots.uploads as string);
    const fd = openSync(kept as string, 'r+');
    writeSync(fd, Buffer.from('spoilt'), 0, 6, 1000);
    closeSync(fd);
    expect((await client.syncPeer(url)).fileErrors).toEqual([expect.objectContaining({ path: 'uploads/video.bin', code: 'REMOTE_CHANGED' })]);
    expect(tempFilesUnder(roots.uploads as string)).toEqual([]);
    expect(await client.syncPeer(url)).toMatchObject({ ok: true, filesDown: 1, fileErrors: [] });
    expect(startOf(ranges[2])).toBe(0);
    expect(readFileSync(path.join(roots.uploads as string, 'video.bin')).equals(video)).toBe(true);
  });

  it('lets the kept part go once the peer no longer has those bytes', async () => {
    put(peerRoots.uploads as string, 'video.bin', randomBytes(SIZE));
    await cutRound();
    expect(await client.syncPeer(url)).toBeDefined(); // the next round brings it: no part is left
    expect(tempFilesUnder(roots.uploads as string)).toEqual([]);
    put(peerRoots.uploads as string, 'other.bin', randomBytes(SIZE));
    proxy.setPlan(() => ({ kind: 'cut', direction: 'down', afterBytes: CUT_AFTER }));
    proxy.dropConnections(); // the kept-alive ones were opened healed
    await client.syncPeer(url);
    expect(tempFilesUnder(roots.uploads as string)).toHaveLength(1); // other.bin's part
    proxy.heal();
    rmSync(path.join(peerRoots.uploads as string, 'other.bin'));
    expect(await client.syncPeer(url)).toMatchObject({ ok: true, fileErrors: [] });
    expect(tempFilesUnder(roots.uploads as string)).toEqual([]);
  });
});
