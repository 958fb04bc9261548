import { rmSync } from 'node:fs';
import path from 'node:path';
import express from 'express';
import request from 'supertest';
import { createSyncNode, type SyncNode } from '../../node/create-sync-node';
import { tempDb, type TempDb } from '../helpers/data';
import { put } from '../helpers/file-roots';
import { silentLogger } from '../../lib/logger';
import { captureLog, type CapturedLog } from '../helpers/log';
import { startServer, TEST_TOKEN, type TestServer } from '../helpers/server';
import { tempDir } from '../helpers/temp';

const HOUR = 3_600_000;
const AUTH = { Authorization: `Bearer ${TEST_TOKEN}` };
const SCHEMA = 'CREATE TABLE IF NOT EXISTS teams (id TEXT PRIMARY KEY NOT NULL, name TEXT NOT NULL)';

interface PeerOnStatus {
  state: string;
  lastErrorCode: string | null;
  failures: number;
  nextRunAt: string | null;
  backingOff?: boolean;
}

interface Side {
  readonly db: TempDb;
  readonly node: SyncNode;
  readonly server: TestServer;
  readonly roots: Record<string, string>;
  readonly log: CapturedLog;
  /** How many times a peer asked this server for a root's listing. */
  readonly listings: { count: number };
}

/**
 * File failures that no retry sooner heals, as the storage failures (k4-file-failure-data-interval):
 * a peer listing a file this server's guard refuses (PEER_LISTED_DATABASE: that root's listing is
 * refused), a peer whose root folder is missing (409 ROOT_MISSING), and this server's own root folder
 * missing (ENOENT: it backed off before, holding the data back with it). The round's data went through,
 * so its next round comes at the interval; the failure is still on /status. A peer that is really
 * gone still backs off.
 */
describe('a round that failed only for a lasting file refusal keeps the normal interval (live servers)', () => {
  let temp: ReturnType<typeof tempDir>;
  let sides: Side[] = [];

  beforeEach(() => {
    temp = tempDir('ess-k7-lasting-');
  });
  afterEach(async () => {
    for (const side of sides.reverse()) {
      await side.node.stop(0);
      await side.server.close().catch(() => undefined); // the gone peer is closed already
      side.db.cleanup();
    }
    sides = [];
    temp.cleanup();
  });

  async function startSide(name: string, peers: string[], extraDatabasePatterns?: string[]): Promise<Side> {
    const db = tempDb(SCHEMA);
    const log = captureLog();
    const roots = { uploads: path.join(temp.dir, name, 'uploads') };
    put(roots.uploads, `${name}.jpg`, `a photo taken on ${name}`);
    const node = createSyncNode({ name, token: TEST_TOKEN, database: db.db, tables: ['teams'], roots, peers, extraDatabasePatterns, stateDir: path.join(temp.dir, name, 'state'), logger: log.logger });
    const app = express();
    const listings = { count: 0 };
    app.use((req, _res, next) => {
      if (req.path === '/api/sync/files/checksums') listings.count += 1;
      next();
    });
    app.use('/api/sync', node.router);
    const server = await startServer(app);
    const side = { db, node, server, roots, log, listings };
    sides.push(side);
    return side;
  }

  async function peerOnStatus(server: TestServer): Promise<PeerOnStatus> {
    const res = await request(server.app).get('/api/sync/status').set(AUTH).expect(200);
    return (res.body as { peers: PeerOnStatus[] }).peers[0] as PeerOnStatus;
  }

  /** The peer's `express_sqlite_sync_peer_backing_off` on /metrics (the same figure as `backingOff`). */
  async function backingOffMetric(server: TestServer): Promise<string | undefined> {
    const metrics = (await request(server.app).get('/api/sync/metrics').set(AUTH).expect(200)).text;
    return /^express_sqlite_sync_peer_backing_off\{[^}]*\} (\S+)$/m.exec(metrics)?.[1];
  }

  it.each<[string, (peer: Side, local: Side) => void, string]>([
    ['a peer listing a file this server refuses as a database', (peer) => put(peer.roots.uploads ?? '', 'secret.json', 'a file the other server refuses'), 'PEER_LISTED_DATABASE'],
    ['a peer whose root folder is missing', (peer) => rmSync(peer.roots.uploads ?? '', { recursive: true }), 'ROOT_MISSING'],
    ["this server's own root folder missing", (_peer, local) => rmSync(local.roots.uploads ?? '', { recursive: true }), 'ENOENT'],
  ])('%s: failing on /status, next round at the interval, data through each time; a peer gone backs off', async (_case, breakOne, code) => {
    const peer = await startSide('peer', []);
    peer.db.db.prepare("INSERT INTO teams (id, name) VALUES ('peer-1', 'from the peer')").run();
    const local = await startSide('local', [`${peer.server.url}/api/sync`], ['**/secret.json']);
    breakOne(peer, local);
    local.db.db.prepare("INSERT INTO teams (id, name) VALUES ('here-1', 'from here')").run();
    local.node.start(HOUR);
    const url = `${peer.server.url}/api/sync`;
    expect(await local.node.client!.syncPeer(url)).toMatchObject({ ok: false, rowsPulled: 1, rowsPushed: 1, error: { code } });
    const first = await peerOnStatus(local.server);
    expect(first).toMatchObject({ state: 'failing', lastErrorCode: code, failures: 1, backingOff: false });
    expect(Date.parse(first.nextRunAt ?? '')).toBeGreaterThan(Date.now() + HOUR - 60_000);
    expect(await backingOffMetric(local.server)).toBe('0');
    expect(local.log.events('sync.failed')).toEqual([expect.objectContaining({ code, failures: 1, backingOff: false })]);
    // A root missing here fails before the peer is asked to list its files (a large root's listing, every interval, for nothing).
    if (code === 'ENOENT') expect(peer.listings.count).toBe(0);

    local.db.db.prepare("INSERT INTO teams (id, name) VALUES ('here-2', 'later here')").run();
    expect(await local.node.client!.syncPeer(url)).toMatchObject({ ok: false, rowsPushed: 1, error: { code } });
    const again = await peerOnStatus(local.server);
    expect(again).toMatchObject({ state: 'failing', failures: 2, backingOff: false });
    expect(Date.parse(again.nextRunAt ?? '')).toBeGreaterThan(Date.now() + HOUR - 60_000);

    // The peer itself gone: that backs off from its first step.
    await peer.node.stop(0);
    await peer.server.close();
    expect(await local.node.client!.syncPeer(url)).toMatchObject({ ok: false, error: { code: 'ECONNREFUSED' } });
    const gone = await peerOnStatus(local.server);
    expect(gone).toMatchObject({ state: 'unreachable', failures: 3, backingOff: true });
    expect(Date.parse(gone.nextRunAt ?? '')).toBeLessThanOrEqual(Date.now() + 1_000);
    expect(await backingOffMetric(local.server)).toBe('1');
    expect(local.log.events('sync.failed').at(-1)).toMatchObject({ code: 'ECONNREFUSED', failures: 3, backingOff: true });
  });
});

/**
 * A peer that dies between two roots of a round whose first root's listing was refused (PEER_LISTED_DATABASE, a
 * failure that keeps the interval): the round kept the first root's code, so the peer was `failing` with its next
 * round an hour away, instead of `unreachable` and retried with backoff. A later root that finds the peer gone
 * (refused or reset, not only silent) is now the round's failure.
 */
describe('a peer gone between the roots of a round (live servers)', () => {
  it('after a root refused as PEER_LISTED_DATABASE: unreachable, retried with backoff', async () => {
    const temp = tempDir('ess-k7-gone-between-');
    const peerDb = tempDb(SCHEMA);
    const localDb = tempDb(SCHEMA);
    const peerRoots = { a: path.join(temp.dir, 'peer', 'a'), b: path.join(temp.dir, 'peer', 'b') };
    put(peerRoots.a, 'secret.json', 'refused by the local server');
    put(peerRoots.b, 'fine.jpg', 'a photo');
    const peerNode = createSyncNode({ name: 'peer', token: TEST_TOKEN, database: peerDb.db, tables: ['teams'], roots: peerRoots, logger: silentLogger });
    const peerApp = express();
    const gone: { server?: TestServer } = {}; // the peer's server, once it listens
    // The peer goes away when asked for its second root's listing: that request and every later one fail.
    peerApp.use((req, _res, next) => {
      if (req.path !== '/api/sync/files/checksums' || req.query.path !== 'b') return next();
      gone.server?.server.close();
      gone.server?.server.closeAllConnections();
      req.socket.destroy();
    });
    peerApp.use('/api/sync', peerNode.router);
    const peerServer = await startServer(peerApp);
    gone.server = peerServer;
    const url = `${peerServer.url}/api/sync`;
    const localRoots = { a: path.join(temp.dir, 'local', 'a'), b: path.join(temp.dir, 'local', 'b') };
    put(localRoots.a, 'here.jpg', 'a photo taken here');
    put(localRoots.b, 'here.jpg', 'a photo taken here');
    const local = createSyncNode({ name: 'local', token: TEST_TOKEN, database: localDb.db, tables: ['teams'], roots: localRoots, peers: [url], extraDatabasePatterns: ['**/secret.json'], stateDir: path.join(temp.dir, 'state'), logger: silentLogger });
    try {
      local.start(HOUR);
      const result = await local.client!.syncPeer(url);
      expect(result.ok).toBe(false);
      expect(result.fileErrors.map((entry) => entry.code)).toContain('PEER_LISTED_DATABASE');
      expect(['ECONNRESET', 'ECONNREFUSED']).toContain(result.error?.code);
      const [status] = local.client!.peerStatuses();
      expect(status).toMatchObject({ state: 'unreachable', failures: 1, backingOff: true });
      expect(Date.parse(status?.nextRunAt ?? '')).toBeLessThanOrEqual(Date.now() + 1_000);
    } finally {
      await local.stop(0);
      await peerNode.stop(0);
      await peerServer.close().catch(() => undefined);
      peerDb.cleanup();
      localDb.cleanup();
      temp.cleanup();
    }
  });
});
