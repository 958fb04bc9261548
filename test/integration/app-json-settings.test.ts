import express from 'express';
import request from 'supertest';
import { silentLogger } from '../../lib/logger';
import { SyncClient } from '../../lib/peers/sync-client';
import { createSyncRouter } from '../../node/create-sync-router';
import { trackedDb } from '../helpers/data';
import { startServer, TEST_TOKEN, type TestServer } from '../helpers/server';

/** A replacer an app may set to leave empty fields out of its own answers. */
const dropNulls = (_key: string, value: unknown): unknown => (value === null ? undefined : value);

/**
 * The router's JSON answers are written as the protocol says, whatever the
 * app's `json replacer` / `json spaces`: with a replacer that drops nulls,
 * `GET /data/info` lost `you.mark: null` and every peer refused it
 * (`PEER_BAD_ANSWER … field /you/mark`), so nothing synced. The app's own
 * answers keep its settings.
 */
describe('an app with its own JSON settings', () => {
  let peerDb: ReturnType<typeof trackedDb>;
  let localDb: ReturnType<typeof trackedDb>;
  let server: TestServer;
  let client: SyncClient | undefined;

  beforeEach(async () => {
    peerDb = trackedDb();
    localDb = trackedDb();
    const app = express();
    app.set('json replacer', dropNulls);
    app.set('json spaces', 2);
    app.use('/api/sync', createSyncRouter({ token: TEST_TOKEN, logger: silentLogger, database: peerDb.db, tables: ['teams', 'reports'] }));
    app.get('/api/own', (_req, res) => {
      res.json({ kept: 1, empty: null });
    });
    server = await startServer(app);
  });

  afterEach(async () => {
    await client?.stop();
    client = undefined;
    await server.close();
    peerDb.cleanup();
    localDb.cleanup();
  });

  it('a peer syncs with it, and its own routes still answer with its settings', async () => {
    peerDb.db.prepare("INSERT INTO teams (id, name, number) VALUES ('t1', 'Robots', NULL)").run();
    client = new SyncClient({ logger: silentLogger, peers: [`${server.url}/api/sync`], token: TEST_TOKEN, data: localDb.tracker });
    const result = await client.syncPeer(`${server.url}/api/sync`);
    expect({ ok: result.ok, error: result.error?.message, rows: result.rowsPulled }).toEqual({ ok: true, error: undefined, rows: 1 });
    expect(localDb.db.prepare("SELECT name, number FROM teams WHERE id = 't1'").get()).toEqual({ name: 'Robots', number: null });

    const status = await request(server.url).get('/api/sync/status').set({ Authorization: `Bearer ${TEST_TOKEN}` });
    expect(status.text.startsWith('{"name":null,')).toBe(true); // every field, compact
    const own = await request(server.url).get('/api/own');
    expect(own.text).toBe('{\n  "kept": 1\n}');
  });
});
