import { randomBytes, randomUUID } from 'node:crypto';
import path from 'node:path';
import { enableCapture } from '../../lib/data/capture';
import { silentLogger } from '../../lib/logger';
import { SyncClient } from '../../lib/peers/sync-client';
import { tempDb } from '../helpers/data';
import { makeApp, startServer, TEST_TOKEN } from '../helpers/server';

const SCHEMA = 'CREATE TABLE notes (id TEXT PRIMARY KEY NOT NULL, body TEXT NOT NULL)';

describe('pushing pages larger than the peer accepts', () => {
  it('halves a page the peer refuses with 413 until it fits, and every row arrives', async () => {
    const peerDb = tempDb(SCHEMA);
    const ourDb = tempDb(SCHEMA);
    const server = await startServer(makeApp({ database: peerDb.db, tables: ['notes'], maxChangesetBytes: 64 * 1024 }));
    const tracker = enableCapture(ourDb.db, { tables: ['notes'] });
    const insert = ourDb.db.prepare('INSERT INTO notes (id, body) VALUES (?, ?)');
    ourDb.db.transaction(() => {
      for (let i = 0; i < 300; i += 1) insert.run(randomUUID(), `${i} `.padEnd(2000, 'x'));
    })();
    const client = new SyncClient({ logger: silentLogger, peers: [`${server.url}/api/sync`], token: TEST_TOKEN, data: tracker, stateDir: path.dirname(ourDb.file) });
    try {
      const [first] = await client.syncAll();
      expect(first).toMatchObject({ ok: true, rowsPushed: 300 });
      expect(peerDb.db.prepare('SELECT count(*) FROM notes').pluck().get()).toBe(300);
      const [again] = await client.syncAll();
      expect(again).toMatchObject({ ok: true, rowsPushed: 0 });
    } finally {
      await client.stop();
      await server.close();
      ourDb.cleanup();
      peerDb.cleanup();
    }
  });

  it('halves plain pages too, which the peer refuses by their Content-Length before reading them', async () => {
    const peerDb = tempDb(SCHEMA);
    const ourDb = tempDb(SCHEMA);
    const server = await startServer(makeApp({ database: peerDb.db, tables: ['notes'], maxChangesetBytes: 256 * 1024, refusedBodyDrainBytes: 64 * 1024 }));
    const tracker = enableCapture(ourDb.db, { tables: ['notes'] });
    const insert = ourDb.db.prepare('INSERT INTO notes (id, body) VALUES (?, ?)');
    ourDb.db.transaction(() => {
      for (let i = 0; i < 1000; i += 1) insert.run(randomUUID(), randomBytes(1500).toString('base64')); // pages of 500 rows: 1 MB each
    })();
    const client = new SyncClient({ logger: silentLogger, peers: [`${server.url}/api/sync`], token: TEST_TOKEN, data: tracker, stateDir: path.dirname(ourDb.file), peerCompression: 'identity' });
    try {
      const [first] = await client.syncAll();
      expect(first).toMatchObject({ ok: true, rowsPushed: 1000 });
      expect(peerDb.db.prepare('SELECT count(*) FROM notes').pluck().get()).toBe(1000);
    } finally {
      await client.stop();
      await server.close();
      ourDb.cleanup();
      peerDb.cleanup();
    }
  });
});
