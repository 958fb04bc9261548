import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { enableCapture } from '../../lib/data/capture';
import { silentLogger } from '../../lib/logger';
import { SyncClient } from '../../lib/peers/sync-client';
import { tempDb } from '../helpers/data';
import { makeApp, startServer, TEST_TOKEN } from '../helpers/server';

const SCHEMA = 'CREATE TABLE notes (id TEXT PRIMARY KEY NOT NULL, body TEXT NOT NULL)';

describe('a pull whose later page is refused', () => {
  it('keeps the pages before it (applied with their cursor), reports the refusal, and applies nothing of the refused page', async () => {
    const peerDb = tempDb(SCHEMA);
    const ourDb = tempDb(SCHEMA);
    const peerTracker = enableCapture(peerDb.db, { tables: ['notes'] });
    const insert = peerDb.db.prepare('INSERT INTO notes (id, body) VALUES (?, ?)');
    const ids = Array.from({ length: 30 }, () => randomUUID());
    peerDb.db.transaction(() => ids.forEach((id, i) => insert.run(id, `note ${i}`)))();
    peerTracker.fold();
    // The 25th row carries a clock an hour ahead (a peer whose clock was wrong): its page is refused with CLOCK_SKEW.
    peerDb.db.prepare('UPDATE _sync_rows SET hlc = ? WHERE pk = ?').run((Date.now() + 3_600_000) * 1024, ids[24]);
    const server = await startServer(makeApp({ database: peerDb.db, tables: ['notes'] }));
    const tracker = enableCapture(ourDb.db, { tables: ['notes'] });
    // First page 10 rows, the next 50: both arrive before the first is applied, so they are applied as a group.
    const client = new SyncClient({ logger: silentLogger, peers: [`${server.url}/api/sync`], token: TEST_TOKEN, data: tracker, stateDir: path.dirname(ourDb.file), syncPageSize: 10 });
    try {
      const [result] = await client.syncAll();
      expect(result).toMatchObject({ ok: false, error: { code: 'CLOCK_SKEW' } });
      // Whole pages before the refused one (10-row pages, or the peer's 10-row pages read ahead), none of its rows.
      const landed = ourDb.db.prepare('SELECT id FROM notes ORDER BY rowid').pluck().all() as string[];
      expect(landed).toEqual(ids.slice(0, landed.length));
      expect(landed.length % 10).toBe(0);
      expect(landed.length).toBeGreaterThanOrEqual(10);
      expect(landed.length).toBeLessThan(25);
      expect(tracker.pullCursor(peerTracker.siteId)).toBeGreaterThan(0);
    } finally {
      await client.stop();
      await server.close();
      ourDb.cleanup();
      peerDb.cleanup();
    }
  });
});
