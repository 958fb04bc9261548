import { rmSync } from 'node:fs';
import path from 'node:path';
import express from 'express';
import request from 'supertest';
import { createSyncNode, type SyncNode } from '../../node/create-sync-node';
import { tempDb, type TempDb } from '../helpers/data';
import { put } from '../helpers/file-roots';
import { silentLogger } from '../../lib/logger';
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
}

/**
 * Two file failures that no retry sooner heals, as the storage failures (k4-file-failure-data-interval):
 * a peer listing a file this server's guard refuses (PEER_LISTED_DATABASE: that root's listing is
 * refused) and a peer whose root folder is missing (409 ROOT_MISSING). The round's data went through,
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
    const roots = { uploads: path.join(temp.dir, name, 'uploads') };
    put(roots.uploads, `${name}.jpg`, `a photo taken on ${name}`);
    const node = createSyncNode({ name, token: TEST_TOKEN, database: db.db, tables: ['teams'], roots, peers, extraDatabasePatterns, stateDir: path.join(temp.dir, name, 'state'), logger: silentLogger });
    const app = express();
    app.use('/api/sync', node.router);
    const server = await startServer(app);
    const side = { db, node, server, roots };
    sides.push(side);
    return side;
  }

  async function peerOnStatus(server: TestServer): Promise<PeerOnStatus> {
    const res = await request(server.app).get('/api/sync/status').set(AUTH).expect(200);
    return (res.body as { peers: PeerOnStatus[] }).peers[0] as PeerOnStatus;
  }

  it.each<[string, (peer: Side) => void, string]>([
    ['a peer listing a file this server refuses as a database', (peer) => put(peer.roots.uploads ?? '', 'secret.json', 'a file the other server refuses'), 'PEER_LISTED_DATABASE'],
    ['a peer whose root folder is missing', (peer) => rmSync(peer.roots.uploads ?? '', { recursive: true }), 'ROOT_MISSING'],
  ])('%s: failing on /status, next round at the interval, data through each time; a peer gone backs off', async (_case, breakPeer, code) => {
    const peer = await startSide('peer', []);
    peer.db.db.prepare("INSERT INTO teams (id, name) VALUES ('peer-1', 'from the peer')").run();
    breakPeer(peer);
    const local = await startSide('local', [`${peer.server.url}/api/sync`], ['**/secret.json']);
    local.db.db.prepare("INSERT INTO teams (id, name) VALUES ('here-1', 'from here')").run();
    local.node.start(HOUR);
    const url = `${peer.server.url}/api/sync`;
    expect(await local.node.client!.syncPeer(url)).toMatchObject({ ok: false, rowsPulled: 1, rowsPushed: 1, error: { code } });
    const first = await peerOnStatus(local.server);
    expect(first).toMatchObject({ state: 'failing', lastErrorCode: code, failures: 1, backingOff: false });
    expect(Date.parse(first.nextRunAt ?? '')).toBeGreaterThan(Date.now() + HOUR - 60_000);

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
  });
});
