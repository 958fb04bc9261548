import http from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import request from 'supertest';
import { silentLogger } from '../../lib/logger';
import { SyncError } from '../../lib/sync-error';
import { createSyncNode, type SyncNode } from '../../node/create-sync-node';
import { createSyncRouter } from '../../node/create-sync-router';
import { tempDb, type TempDb } from '../helpers/data';
import { startServer, TEST_TOKEN, type TestServer } from '../helpers/server';

const SCHEMA = 'CREATE TABLE notes (id TEXT PRIMARY KEY NOT NULL, body TEXT);';

/** Resolves once `condition` holds. */
async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 10));
}

/**
 * A run asked for while `stop()` runs (waiting for a round with a slow peer) is refused with 503 STOPPED:
 * before, it started a round with the other peer that stop() did not wait for, which could touch the
 * database the app closes once stop() resolves.
 */
describe('POST /run and syncNow() while stop() runs', () => {
  const dbs: TempDb[] = [];
  let slow: http.Server;
  let fast: TestServer;
  let local: TestServer;
  let node: SyncNode;
  let release: () => void = () => undefined;
  let slowAsked = 0;
  let fastAsked = 0;

  beforeEach(async () => {
    const [a, b, c] = [tempDb(SCHEMA), tempDb(SCHEMA), tempDb(SCHEMA)];
    dbs.push(a, b, c);
    const hold = new Promise<void>((resolve) => (release = resolve));
    slowAsked = 0;
    fastAsked = 0;
    const slowApp = express();
    slowApp.use(async (_req, _res, next) => {
      slowAsked += 1;
      await hold; // the slow peer answers once the test lets it
      next();
    });
    slowApp.use('/api/sync', createSyncRouter({ name: 'slow', token: TEST_TOKEN, database: b.db, tables: ['notes'], logger: silentLogger }));
    slow = http.createServer(slowApp);
    await new Promise<void>((resolve) => slow.listen(0, '127.0.0.1', resolve));
    const fastApp = express();
    fastApp.use((_req, _res, next) => {
      fastAsked += 1;
      next();
    });
    fastApp.use('/api/sync', createSyncRouter({ name: 'fast', token: TEST_TOKEN, database: c.db, tables: ['notes'], logger: silentLogger }));
    fast = await startServer(fastApp);
    const slowUrl = `http://127.0.0.1:${(slow.address() as AddressInfo).port}/api/sync`;
    node = createSyncNode({ name: 'local', token: TEST_TOKEN, database: a.db, tables: ['notes'], peers: [slowUrl, `${fast.url}/api/sync`], logger: silentLogger });
    const app = express();
    app.use('/api/sync', node.router);
    local = await startServer(app);
  });

  afterEach(async () => {
    release();
    await node.stop(0);
    await local.close();
    await fast.close();
    slow.closeAllConnections();
    await new Promise<void>((resolve) => slow.close(() => resolve()));
    for (const db of dbs.splice(0)) db.cleanup();
  });

  it('refuses them with 503 STOPPED, and stop() waits for the round already started', async () => {
    const running = node.client?.syncPeer(node.client.peers[0] as string);
    await until(() => slowAsked > 0);
    const stopping = node.stop(60_000);
    const asked = fastAsked;
    const run = await request(local.app).post('/api/sync/run').set('Authorization', `Bearer ${TEST_TOKEN}`);
    expect(run.status).toBe(503);
    expect(run.body).toEqual({ error: { code: 'STOPPED', message: expect.stringMatching(/stopping/) } });
    const streamed = await request(local.app).post('/api/sync/run?stream=ndjson').set('Authorization', `Bearer ${TEST_TOKEN}`);
    expect(streamed.status).toBe(503);
    expect(streamed.body.error.code).toBe('STOPPED');
    const confirm = await request(local.app).post('/api/sync/deletions/confirm').set('Authorization', `Bearer ${TEST_TOKEN}`);
    expect(confirm.status).toBe(503); // nothing confirmed for a round that stop() would not wait for
    expect(confirm.body.error.code).toBe('STOPPED');
    const refused = await node.syncNow().catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(SyncError);
    expect((refused as SyncError).code).toBe('STOPPED');
    await expect(node.client?.syncPeer(`${fast.url}/api/sync`)).rejects.toMatchObject({ code: 'STOPPED', status: 503 });
    expect(fastAsked).toBe(asked); // no round was started with the other peer
    const second = node.stop(60_000); // a second stop meanwhile: the first one's end does not open the door
    release();
    await stopping;
    if (node.client?.stopping === true) await expect(node.syncNow()).rejects.toMatchObject({ code: 'STOPPED' });
    await second;
    const result = await running;
    expect(result?.error).toBeUndefined(); // the round already started ended on its own, and stop() waited for it
    expect(fastAsked).toBe(asked);
    // Once stopped, a sync can be asked for again (documented: the node may sync or start again).
    const again = await request(local.app).post('/api/sync/run').set('Authorization', `Bearer ${TEST_TOKEN}`);
    expect(again.status).toBe(200);
  });
});
