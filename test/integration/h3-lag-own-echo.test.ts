import path from 'node:path';
import Database from 'better-sqlite3';
import express from 'express';
import request from 'supertest';
import { silentLogger } from '../../lib/logger';
import { createSyncNode, type SyncNode } from '../../node/create-sync-node';
import { startServer, TEST_TOKEN, type TestServer } from '../helpers/server';
import { tempDir } from '../helpers/temp';

const AUTH = { Authorization: `Bearer ${TEST_TOKEN}` };
const SCHEMA = 'CREATE TABLE notes (id TEXT PRIMARY KEY NOT NULL, body TEXT)';

interface LagFigures {
  readonly status: number | null | undefined;
  readonly metric: number | undefined;
  readonly transport: number | null | undefined;
}

/** "Not yet received" from `peerUrl`, as /status (peer and transport) and /metrics show it. */
async function lagOn(server: TestServer, peerUrl: string): Promise<LagFigures> {
  const status = (await request(server.url).get('/api/sync/status').set(AUTH).expect(200)).body as {
    peers: Array<{ url: string; lagChanges: number | null }>;
    transports: Array<{ name: string; lag: number | null }>;
  };
  const text = (await request(server.url).get('/api/sync/metrics').set(AUTH).expect(200)).text;
  const line = text.split('\n').find((candidate) => candidate.startsWith(`express_sqlite_sync_peer_lag_changes{peer="${peerUrl}"}`));
  return {
    status: status.peers.find((peer) => peer.url === peerUrl)?.lagChanges,
    metric: line === undefined ? undefined : Number(line.split(' ').at(-1)),
    transport: status.transports.find((transport) => transport.name === peerUrl)?.lag,
  };
}

describe('"not yet received" after a round that fails after the handshake', () => {
  // The figure was the peer's seq less our pull cursor: what we had pushed to the peer took seqs
  // there, so a round whose pull then failed showed our own rows as "not yet received" from it.
  const temp = tempDir('ess-h3-lag-');
  const closing: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const close of closing.splice(0).reverse()) await close();
  });
  afterAll(() => temp.cleanup());

  it('does not count our own changes coming back; the peer\'s own writes still count', async () => {
    const peerDb = new Database(path.join(temp.dir, 'peer.db'));
    const localDb = new Database(path.join(temp.dir, 'local.db'));
    closing.push(async () => {
      peerDb.close();
      localDb.close();
    });
    for (const db of [peerDb, localDb]) db.exec(SCHEMA);

    let refusePulls = false;
    const peerNode: SyncNode = createSyncNode({ token: TEST_TOKEN, logger: silentLogger, database: peerDb, tables: ['notes'] });
    const peerApp = express();
    // A peer whose pages fail (a disk error, a proxy in front): the handshake answers, the pull does not.
    peerApp.get('/api/sync/data/changes', (_req, res, next) => {
      if (!refusePulls) return next();
      res.status(503).json({ error: { code: 'BUSY', message: 'try later' } });
    });
    peerApp.use('/api/sync', peerNode.router);
    const peer = await startServer(peerApp);
    closing.push(() => peer.close());
    const peerUrl = `${peer.url}/api/sync`;

    const local = createSyncNode({ token: TEST_TOKEN, logger: silentLogger, database: localDb, tables: ['notes'], peers: [peerUrl] });
    closing.push(() => local.stop(0));
    const localApp = express();
    localApp.use('/api/sync', local.router);
    const server = await startServer(localApp);
    closing.push(() => server.close());

    for (const id of ['a', 'b', 'c', 'd', 'e']) localDb.prepare('INSERT INTO notes VALUES (?, ?)').run(id, `note ${id}`);
    expect(await local.syncNow()).toMatchObject([{ ok: true, rowsPushed: 5 }]);
    expect(await lagOn(server, peerUrl)).toEqual({ status: 0, metric: 0, transport: 0 });

    refusePulls = true;
    expect(await local.syncNow()).toMatchObject([{ ok: false, error: { code: 'BUSY' } }]);
    expect(await lagOn(server, peerUrl)).toEqual({ status: 0, metric: 0, transport: 0 });

    const before = peerNode.tracker?.fold() ?? 0;
    for (const id of ['p', 'q']) peerDb.prepare('INSERT INTO notes VALUES (?, ?)').run(id, `peer note ${id}`);
    const written = (peerNode.tracker?.fold() ?? 0) - before;
    expect(written).toBeGreaterThan(0);
    expect(await local.syncNow()).toMatchObject([{ ok: false, error: { code: 'BUSY' } }]);
    expect(await lagOn(server, peerUrl)).toEqual({ status: written, metric: written, transport: written });

    refusePulls = false;
    expect(await local.syncNow()).toMatchObject([{ ok: true, rowsPulled: 2 }]);
    expect(await lagOn(server, peerUrl)).toEqual({ status: 0, metric: 0, transport: 0 });
  });
});
