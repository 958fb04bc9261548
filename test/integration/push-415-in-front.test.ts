import { randomUUID } from 'node:crypto';
import express from 'express';
import { silentLogger } from '../../lib/logger';
import { SyncClient } from '../../lib/peers/sync-client';
import { createSyncRouter } from '../../node/create-sync-router';
import { tableRows, trackedDb } from '../helpers/data';
import { startServer, TEST_TOKEN } from '../helpers/server';

const TABLES = ['teams', 'reports'];

describe('a peer whose app parser refuses compressed bodies with its own 415', () => {
  it('is sent plain JSON from then on, and the push lands', async () => {
    const source = trackedDb();
    const target = trackedDb();
    const insert = source.db.prepare('INSERT INTO teams (id, name, number) VALUES (?, ?, ?)');
    source.db.transaction(() => {
      for (let i = 0; i < 200; i += 1) insert.run(randomUUID(), `team number ${i} of the regional`, i);
    })();
    const app = express();
    app.use(express.json({ inflate: false, limit: '50mb' })); // answers 415 "content encoding unsupported" (HTML, not our JSON code)
    app.use('/api/sync', createSyncRouter({ token: TEST_TOKEN, logger: silentLogger, database: target.db, tables: TABLES }));
    const server = await startServer(app);
    const url = `${server.url}/api/sync`;
    const client = new SyncClient({ logger: silentLogger, peers: [url], token: TEST_TOKEN, data: source.tracker, peerCompression: 'gzip' });
    try {
      expect(await client.syncPeer(url)).toMatchObject({ ok: true, rowsPushed: 200 });
      expect(tableRows(target.db, 'teams')).toEqual(tableRows(source.db, 'teams'));
    } finally {
      await client.stop();
      await server.close();
      source.cleanup();
      target.cleanup();
    }
  });
});
