import { readdirSync, readlinkSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import express from 'express';
import type { ChangeTracker } from '../../lib/data/change-tracker';
import { enableCapture } from '../../lib/data/capture';
import { silentLogger } from '../../lib/logger';
import { SyncClient } from '../../lib/peers/sync-client';
import type { PeerSyncResult } from '../../lib/peers/sync-status';
import { createSyncRouter } from '../../node/create-sync-router';
import { createFilePolicy } from '../../lib/files/file-policy';
import { ManifestCache } from '../../lib/files/manifest-cache';
import { resolveSyncRoots } from '../../lib/files/sync-roots';
import { tempDb, type TempDb } from '../helpers/data';
import { makeRoots, put } from '../helpers/file-roots';
import { tempDir } from '../helpers/temp';
import { startServer, TEST_TOKEN, type TestServer } from '../helpers/server';

const SCHEMA = 'CREATE TABLE notes (id TEXT PRIMARY KEY NOT NULL, body TEXT);';

/** Resolves once `condition` holds. */
async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 10));
}

describe('SyncClient.stop() while a peer does not answer', () => {
  let local: TempDb;
  let tracker: ChangeTracker;
  let silent: http.Server;
  let asked = 0;
  let client: SyncClient | undefined;

  beforeEach(async () => {
    local = tempDb(SCHEMA);
    tracker = enableCapture(local.db, { tables: ['notes'] });
    asked = 0;
    silent = http.createServer(() => {
      asked += 1; // never answers; the client's timeout is an hour
    });
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
  });

  afterEach(async () => {
    await client?.stop();
    silent.closeAllConnections();
    await new Promise<void>((resolve) => silent.close(() => resolve()));
    local.cleanup();
  });

  const peerUrl = (): string => `http://127.0.0.1:${(silent.address() as AddressInfo).port}/api/sync`;

  it('abandons the request in flight: the sync ends with STOPPED and stop() resolves without waiting for the timeout', async () => {
    client = new SyncClient({ logger: silentLogger, peers: [peerUrl()], token: TEST_TOKEN, data: tracker, peerTimeoutMs: 3_600_000 });
    const running = client.syncPeer(peerUrl());
    await until(() => asked > 0);
    await client.stop(0); // before the change this waited for the hour-long timeout
    const result: PeerSyncResult = await running;
    expect(result.ok).toBe(false);
    expect(result.error?.code).toBe('STOPPED');
    expect(result.error?.message).toMatch(/stopping/);
  });

  it('a periodic sync in flight is abandoned too, and the peer socket is closed', async () => {
    client = new SyncClient({ logger: silentLogger, peers: [peerUrl()], token: TEST_TOKEN, data: tracker, peerTimeoutMs: 3_600_000 });
    client.start(60_000);
    await until(() => asked > 0);
    await client.stop(); // the default grace (2 s) passes: the peer still has not answered
    // The server sees the close a moment later; it comes without the server closing anything.
    const connections = (): Promise<number> => new Promise((resolve, reject) => silent.getConnections((error, count) => (error ? reject(error) : resolve(count))));
    while ((await connections()) > 0) await new Promise((resolve) => setTimeout(resolve, 10));
    expect(client.peerStatuses()[0]?.lastError).toMatch(/^STOPPED/);
  });
});

describe('SyncClient.stop() while a peer answers slowly', () => {
  let local: TempDb;
  let slow: http.Server;
  let client: SyncClient | undefined;
  let release: (() => void) | undefined;
  let hold: Promise<void>;

  beforeEach(async () => {
    local = tempDb(SCHEMA);
    hold = new Promise((resolve) => (release = resolve));
    const app = express();
    app.use(async (_req, _res, next) => {
      await hold; // the answer waits until the test lets it go
      next();
    });
    const peer = tempDb(SCHEMA);
    app.use('/api/sync', createSyncRouter({ name: 'slow', token: TEST_TOKEN, database: peer.db, tables: ['notes'], logger: silentLogger }));
    slow = http.createServer(app);
    slow.on('close', () => peer.cleanup());
    await new Promise<void>((resolve) => slow.listen(0, '127.0.0.1', resolve));
  });

  afterEach(async () => {
    release?.();
    await client?.stop(0);
    slow.closeAllConnections();
    await new Promise<void>((resolve) => slow.close(() => resolve()));
    local.cleanup();
  });

  it('lets a running sync end on its own within the grace', async () => {
    const tracker = enableCapture(local.db, { tables: ['notes'] });
    local.db.prepare("INSERT INTO notes VALUES ('n1', 'kept')").run();
    const url = `http://127.0.0.1:${(slow.address() as AddressInfo).port}/api/sync`;
    client = new SyncClient({ logger: silentLogger, peers: [url], token: TEST_TOKEN, data: tracker });
    const running = client.syncPeer(url);
    const stopped = client.stop(60_000);
    release?.();
    await stopped;
    const result = await running;
    expect(result.error).toBeUndefined();
    expect(result.rowsPushed).toBe(1);
  });

  it('refuses a grace that is not a non-negative integer', async () => {
    const tracker = enableCapture(local.db, { tables: ['notes'] });
    client = new SyncClient({ logger: silentLogger, peers: ['http://127.0.0.1:9/api/sync'], token: TEST_TOKEN, data: tracker });
    for (const bad of [-1, 1.5, Number.NaN, 2 ** 31]) await expect(client.stop(bad)).rejects.toThrow(/graceMs must be an integer from 0/);
    await expect(client.stop('5' as unknown as number)).rejects.toThrow(RangeError);
  });
});

describe('SyncClient after stop()', () => {
  let a: TempDb;
  let b: TempDb;
  let server: TestServer;
  let client: SyncClient | undefined;

  beforeEach(async () => {
    a = tempDb(SCHEMA);
    b = tempDb(SCHEMA);
    const app = express();
    app.use('/api/sync', createSyncRouter({ name: 'b', token: TEST_TOKEN, database: b.db, tables: ['notes'], logger: silentLogger }));
    server = await startServer(app);
  });

  afterEach(async () => {
    await client?.stop();
    await server.close();
    a.cleanup();
    b.cleanup();
  });

  it('syncs again on demand, and after start', async () => {
    const tracker = enableCapture(a.db, { tables: ['notes'] });
    const url = `${server.url}/api/sync`;
    client = new SyncClient({ logger: silentLogger, peers: [url], token: TEST_TOKEN, data: tracker });
    client.start(60_000);
    await client.stop();
    a.db.prepare("INSERT INTO notes VALUES ('n1', 'after stop')").run();
    const again = await client.syncPeer(url);
    expect(again.error).toBeUndefined();
    expect(b.db.prepare('SELECT body FROM notes').pluck().all()).toEqual(['after stop']);
    client.start(60_000);
    a.db.prepare("INSERT INTO notes VALUES ('n2', 'after restart')").run();
    const restarted = await client.syncPeer(url);
    expect(restarted.error).toBeUndefined();
    expect(b.db.prepare('SELECT count(*) FROM notes').pluck().get()).toBe(2);
  });
});

/** The files this process holds open, by path. */
function openFiles(): string[] {
  return readdirSync('/proc/self/fd').flatMap((fd) => {
    try {
      return [readlinkSync(`/proc/self/fd/${fd}`)];
    } catch {
      return [];
    }
  });
}

describe('SyncClient.stop() during an upload to a peer that does not read it', () => {
  let temp: ReturnType<typeof tempDir>;
  let peer: http.Server;
  let uploading = false;
  let client: SyncClient | undefined;

  beforeEach(async () => {
    temp = tempDir();
    uploading = false;
    const app = express();
    app.get('/api/sync/files/checksums', (_req, res) => {
      res.json({ root: 'uploads', path: '', files: [] });
    });
    app.post('/api/sync/files/upload', (req) => {
      uploading = true;
      req.pause(); // never reads: the upload waits with its file open
    });
    peer = http.createServer(app);
    await new Promise<void>((resolve) => peer.listen(0, '127.0.0.1', resolve));
  });

  afterEach(async () => {
    await client?.stop(0);
    peer.closeAllConnections();
    await new Promise<void>((resolve) => peer.close(() => resolve()));
    temp.cleanup();
  });

  it('closes the file it was sending', async () => {
    if (process.platform !== 'linux') return; // /proc/self/fd
    const roots = makeRoots(path.join(temp.dir, 'roots'));
    const big = put(roots.uploads ?? '', 'big.bin', Buffer.alloc(32 * 1024 * 1024, 7)); // more than the sockets buffer
    const url = `http://127.0.0.1:${(peer.address() as AddressInfo).port}/api/sync`;
    client = new SyncClient({
      logger: silentLogger,
      peers: [url],
      token: TEST_TOKEN,
      files: { roots: resolveSyncRoots({ uploads: roots.uploads ?? '' }), policy: createFilePolicy(), cache: new ManifestCache() },
      stateDir: path.join(temp.dir, 'state'),
      peerTimeoutMs: 3_600_000,
    });
    const running = client.syncPeer(url);
    await until(() => uploading);
    expect(openFiles()).toContain(big);
    await client.stop(0);
    const result = await running;
    expect(result.fileErrors).toEqual([expect.objectContaining({ path: 'uploads/big.bin', code: 'STOPPED' })]);
    await until(() => !openFiles().includes(big)); // before the fix it stayed open for good: this never ended
  });
});
