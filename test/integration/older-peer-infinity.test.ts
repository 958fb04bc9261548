import { randomUUID } from 'node:crypto';
import path from 'node:path';
import express from 'express';
import { createSyncNode } from '../../index';
import { enableCapture } from '../../lib/data/capture';
import { silentLogger } from '../../lib/logger';
import { SyncClient } from '../../lib/peers/sync-client';
import { tempDb } from '../helpers/data';
import { makeRoots } from '../helpers/file-roots';
import { startServer, TEST_TOKEN } from '../helpers/server';
import { tempDir } from '../helpers/temp';

const SCHEMA = 'CREATE TABLE readings (id TEXT PRIMARY KEY NOT NULL, value REAL)';
/** What a peer of a version from before REAL ±Infinity travelled answered such a page. */
const OLD_REFUSAL = { error: { code: 'INVALID_CHANGESET', message: 'the changeset does not match the protocol schema (/changes/0/cells/value: must match a schema in anyOf)' } };

/**
 * A peer that refuses every pushed page as an older version refuses a REAL
 * ±Infinity: the pusher's round fails with the peer's code, and its message
 * says to upgrade the peer only when the page holds such a value.
 */
describe('a push refused by a peer of an older version', () => {
  it('says to upgrade the peer when the page holds a REAL Infinity, and nothing more otherwise', async () => {
    const temp = tempDir('ess-older-peer-');
    const peerData = tempDb(SCHEMA);
    const node = createSyncNode({ token: TEST_TOKEN, logger: silentLogger, database: peerData.db, tables: ['readings'], roots: makeRoots(path.join(temp.dir, 'roots')) });
    const app = express();
    app.post('/api/sync/data/changes', (_req, res) => {
      res.status(400).json(OLD_REFUSAL);
    });
    const server = await startServer(app.use('/api/sync', node.router));
    const local = tempDb(SCHEMA);
    const client = new SyncClient({ logger: silentLogger, peers: [`${server.url}/api/sync`], token: TEST_TOKEN, data: enableCapture(local.db, { tables: ['readings'] }) });
    try {
      local.db.prepare('INSERT INTO readings VALUES (?, ?)').run(randomUUID(), 1.5);
      const finite = await client.syncPeer(`${server.url}/api/sync`);
      expect(finite).toMatchObject({ ok: false, error: { code: 'INVALID_CHANGESET' } });
      expect(finite.error?.message).not.toContain('upgrade');

      local.db.prepare('DELETE FROM readings').run();
      local.db.prepare('INSERT INTO readings VALUES (?, ?)').run(randomUUID(), -Infinity);
      const infinite = await client.syncPeer(`${server.url}/api/sync`);
      expect(infinite).toMatchObject({ ok: false, error: { code: 'INVALID_CHANGESET' } });
      expect(infinite.error?.message).toContain('REAL Infinity or -Infinity');
      expect(infinite.error?.message).toContain(`upgrade ${server.url}/api/sync to this server's version`);
    } finally {
      await client.stop();
      await node.stop();
      await server.close();
      local.cleanup();
      peerData.cleanup();
      temp.cleanup();
    }
  });
});
