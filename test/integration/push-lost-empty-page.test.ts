import { randomUUID } from 'node:crypto';
import path from 'node:path';
import express from 'express';
import { enableCapture } from '../../lib/data/capture';
import { silentLogger } from '../../lib/logger';
import { SyncClient } from '../../lib/peers/sync-client';
import { tempDb } from '../helpers/data';
import { makeApp, startServer, TEST_TOKEN } from '../helpers/server';

const SCHEMA = 'CREATE TABLE notes (id TEXT PRIMARY KEY NOT NULL, body TEXT NOT NULL)';

/**
 * A push's last page goes even with no rows when it passed over seqs the peer
 * has (so the peer's pull cursor follows). Such a page lost on the way must not
 * count as a page too large for the link: the next push would then send its
 * rows one per request (a lost page of n rows makes the next push send n/2).
 */
describe('a push whose page with no rows is lost on the way', () => {
  it('sends the next push in pages of the usual size', async () => {
    const peerDb = tempDb(SCHEMA);
    const ourDb = tempDb(SCHEMA);
    let cutPushes = false;
    let pushes = 0;
    const app = express();
    app.use((req, _res, next) => {
      if (req.method !== 'POST' || req.path !== '/api/sync/data/changes') return next();
      pushes += 1;
      if (!cutPushes) return next();
      req.socket.destroy(); // lost on the way: no answer (the client's retry too)
    });
    app.use(makeApp({ database: peerDb.db, tables: ['notes'] }));
    const server = await startServer(app);
    const peerTracker = enableCapture(peerDb.db, { tables: ['notes'] });
    const tracker = enableCapture(ourDb.db, { tables: ['notes'] });
    const client = new SyncClient({ logger: silentLogger, peers: [`${server.url}/api/sync`], token: TEST_TOKEN, data: tracker, stateDir: path.dirname(ourDb.file) });
    try {
      const peerInsert = peerDb.db.prepare('INSERT INTO notes (id, body) VALUES (?, ?)');
      for (let i = 0; i < 5; i += 1) peerInsert.run(randomUUID(), `peer ${i}`);
      expect(peerTracker.info().seq).toBeGreaterThan(0);
      cutPushes = true;
      const [lost] = await client.syncAll(); // pulls the peer's 5 rows; its push (no rows, to move the peer's cursor) is lost
      expect(lost).toMatchObject({ ok: false, rowsPulled: 5, rowsPushed: 0 });
      expect(pushes).toBeGreaterThan(0);
      cutPushes = false;

      const insert = ourDb.db.prepare('INSERT INTO notes (id, body) VALUES (?, ?)');
      ourDb.db.transaction(() => {
        for (let i = 0; i < 300; i += 1) insert.run(randomUUID(), `ours ${i}`);
      })();
      pushes = 0;
      const [next] = await client.syncAll();
      expect(next).toMatchObject({ ok: true, rowsPushed: 300 });
      expect(pushes).toBe(1);
      expect(peerDb.db.prepare('SELECT count(*) FROM notes').pluck().get()).toBe(305);
    } finally {
      await client.stop();
      await server.close();
      ourDb.cleanup();
      peerDb.cleanup();
    }
  });
});
