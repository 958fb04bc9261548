import { randomUUID } from 'node:crypto';
import path from 'node:path';
import express from 'express';
import { enableCapture } from '../../lib/data/capture';
import { silentLogger } from '../../lib/logger';
import { SyncClient } from '../../lib/peers/sync-client';
import { createSyncRouter } from '../../node/create-sync-router';
import { tempDb } from '../helpers/data';
import { startServer, TEST_TOKEN } from '../helpers/server';

const SCHEMA = 'CREATE TABLE notes (id TEXT PRIMARY KEY NOT NULL, body TEXT NOT NULL)';

describe('a push refused with 413 by an app body parser in front of the peer\'s sync router', () => {
  it('halves pages, lands the rows that fit, and names the app parser, not maxChangesetBytes, for the row that does not', async () => {
    const peerDb = tempDb(SCHEMA);
    const ourDb = tempDb(SCHEMA);
    const app = express();
    app.use(express.json()); // 100 kb by default, in front of the router (whose own limit is 16 MiB)
    app.use('/api/sync', createSyncRouter({ token: TEST_TOKEN, logger: silentLogger, database: peerDb.db, tables: ['notes'] }));
    const server = await startServer(app);
    const tracker = enableCapture(ourDb.db, { tables: ['notes'] });
    const insert = ourDb.db.prepare('INSERT INTO notes (id, body) VALUES (?, ?)');
    ourDb.db.transaction(() => {
      for (let i = 0; i < 20; i += 1) insert.run(`a-${i}-${randomUUID()}`, `${i} `.padEnd(20_000, 'x'));
    })();
    insert.run('z-big', 'y'.repeat(200 * 1024));
    const client = new SyncClient({ logger: silentLogger, peers: [`${server.url}/api/sync`], token: TEST_TOKEN, data: tracker, stateDir: path.dirname(ourDb.file) });
    try {
      const [result] = await client.syncAll();
      expect(result?.ok).toBe(false);
      expect(result?.error?.code).toBe('ROW_TOO_LARGE');
      const message = result?.error?.message ?? '';
      expect(message).toContain('in front of the sync router');
      expect(message).toContain('express.json()');
      expect(message).toContain('Mount the sync router before the app\'s body parsers');
      expect(message).not.toContain('maxChangesetBytes');
      expect(peerDb.db.prepare('SELECT count(*) FROM notes').pluck().get()).toBe(20); // the smaller rows got through in halves
    } finally {
      await client.stop();
      await server.close();
      ourDb.cleanup();
      peerDb.cleanup();
    }
  });
});
