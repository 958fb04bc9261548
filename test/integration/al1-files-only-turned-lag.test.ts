import { mkdirSync } from 'node:fs';
import path from 'node:path';
import express, { type RequestHandler } from 'express';
import { formatStatus } from '../../bin/commands/status';
import { silentLogger } from '../../lib/logger';
import type { PeerStatus } from '../../lib/peers/sync-status';
import { createSyncNode, type SyncNode } from '../../node/create-sync-node';
import { createSyncRouter } from '../../node/create-sync-router';
import { TEST_SCHEMA, tempDb, type TempDb } from '../helpers/data';
import { startServer, TEST_TOKEN, type TestServer } from '../helpers/server';
import { addTeams, TABLES } from '../helpers/snapshot';
import { tempDir } from '../helpers/temp';

const AUTH = { Authorization: `Bearer ${TEST_TOKEN}` };

/**
 * A peer that synced data, then was started again without its database (files only): D's status
 * kept the `lagChanges` of its last data handshake (JSON and `/metrics`), a count of changes it
 * will never pull from a peer that has none to give (the CLI's `status` printed it). It is `null` once the peer syncs files only.
 */
describe('a peer that turns files-only', () => {
  let temp: ReturnType<typeof tempDir>;
  let peerData: TempDb;
  let ownData: TempDb;
  let server: TestServer;
  let node: SyncNode;
  let current: RequestHandler;
  beforeEach(async () => {
    temp = tempDir('ess-al1-turned-');
    for (const name of ['P', 'D']) mkdirSync(path.join(temp.dir, name));
    peerData = tempDb(TEST_SCHEMA, 'peer.db');
    ownData = tempDb(TEST_SCHEMA);
    const withData = createSyncRouter({ token: TEST_TOKEN, logger: silentLogger, database: peerData.db, tables: TABLES, roots: { config: path.join(temp.dir, 'P') } });
    // The first round's pull fails after the handshake: the lag it measured stays.
    current = (request, response, next) => {
      if (request.path.startsWith('/data/changes')) {
        response.status(503).json({ error: { code: 'BUSY', message: 'busy' } });
        return;
      }
      withData(request, response, next);
    };
    server = await startServer(express().use('/api/sync', (request, response, next) => current(request, response, next)));
    node = createSyncNode({ token: TEST_TOKEN, logger: silentLogger, database: ownData.db, tables: TABLES, roots: { config: path.join(temp.dir, 'D') }, peers: [`${server.url}/api/sync`], stateDir: path.join(temp.dir, 'state') });
  });
  afterEach(async () => {
    await node.stop();
    await server.close();
    peerData.cleanup();
    ownData.cleanup();
    temp.cleanup();
  });

  const statusOfNode = async (): Promise<PeerStatus & { printed: string }> => {
    const app = await startServer(express().use('/api/sync', node.router));
    try {
      const answer = await fetch(`${app.url}/api/sync/status`, { headers: AUTH });
      const body = (await answer.json()) as Parameters<typeof formatStatus>[0] & { peers: PeerStatus[] };
      return { ...(body.peers[0] as PeerStatus), printed: formatStatus(body) };
    } finally {
      await app.close();
    }
  };
  const metricsOfNode = async (): Promise<string> => {
    const app = await startServer(express().use('/api/sync', node.router));
    try {
      return await (await fetch(`${app.url}/api/sync/metrics`, { headers: AUTH })).text();
    } finally {
      await app.close();
    }
  };

  it('shows no lagChanges (status and metrics) once the peer syncs files only', async () => {
    addTeams(peerData.db, 5, 'p');
    const [first] = await node.syncNow();
    expect(first?.ok).toBe(false);
    const before = await statusOfNode();
    expect(before.lagChanges).toBe(5);
    expect(typeof before.clockSkewMs).toBe('number');
    expect(before.printed).toContain('not yet received 5');
    current = createSyncRouter({ token: TEST_TOKEN, logger: silentLogger, roots: { config: path.join(temp.dir, 'P') } });
    const [second] = await node.syncNow();
    expect(second?.ok).toBe(true);
    const peer = await statusOfNode();
    expect(peer).toMatchObject({ filesOnly: true, lagChanges: null, undeliveredChanges: null, clockSkewMs: null });
    expect(peer.printed).not.toMatch(/not yet received|clock skew/);
    expect(await metricsOfNode()).not.toMatch(/^express_sqlite_sync_peer_(lag_changes|clock_skew_ms)\{/m);
  });
});
