import path from 'node:path';
import Database from 'better-sqlite3';
import express from 'express';
import request from 'supertest';
import type { SyncLogger } from '../../lib/logger';
import { silentLogger } from '../../lib/logger';
import { createSyncNode } from '../../node/create-sync-node';
import { createSyncRouter } from '../../node/create-sync-router';
import { startServer, TEST_TOKEN, type TestServer } from '../helpers/server';
import { tempDir } from '../helpers/temp';

const SCHEMA = 'CREATE TABLE notes (id TEXT PRIMARY KEY NOT NULL, code TEXT UNIQUE)';

/** A logger keeping every line, for the events a round logged. */
function recordingLogger(): SyncLogger & { readonly lines: Array<Record<string, unknown>> } {
  const lines: Array<Record<string, unknown>> = [];
  const keep = (detail: object, msg: string): void => {
    lines.push({ ...detail, msg });
  };
  return { lines, info: keep, warn: keep, error: keep };
}

describe('a round that parks rows, then fails', () => {
  // The conflicts a pull recorded were counted only when the whole round succeeded: a push that
  // failed afterwards reported dataConflicts 0 in /run, /metrics and the log, and no sync.conflicts line.
  it('still reports the conflicts it recorded: in its result, the data conflicts counter and a sync.conflicts log line', async () => {
    const temp = tempDir('ess-h2-conflicts-');
    const peerDb = new Database(path.join(temp.dir, 'peer.db'));
    const localDb = new Database(path.join(temp.dir, 'local.db'));
    let peer: TestServer | undefined;
    let local: TestServer | undefined;
    const logger = recordingLogger();
    const node = { stop: async (): Promise<void> => undefined };
    try {
      for (const db of [peerDb, localDb]) db.exec(SCHEMA);
      const peerApp = express();
      // The peer takes pulls but refuses every push, as a peer whose disk just filled up would.
      peerApp.post('/api/sync/data/changes', (_req, res) => {
        res.status(503).json({ error: { code: 'BUSY', message: 'try later' } });
      });
      peerApp.use('/api/sync', createSyncRouter({ token: TEST_TOKEN, logger: silentLogger, database: peerDb, tables: ['notes'] }));
      peer = await startServer(peerApp);
      peerDb.prepare('INSERT INTO notes VALUES (?, ?)').run('peer-1', 'X'); // the earlier claim on code X
      localDb.prepare('INSERT INTO notes VALUES (?, ?)').run('local-1', 'X');

      const sync = createSyncNode({ token: TEST_TOKEN, logger, database: localDb, tables: ['notes'], peers: [`${peer.url}/api/sync`] });
      node.stop = () => sync.stop(0);
      const localApp = express();
      localApp.use('/api/sync', sync.router);
      local = await startServer(localApp);

      const [result] = await sync.syncNow();
      expect(result).toMatchObject({ ok: false, error: { code: 'BUSY' }, rowsPulled: 1 });
      expect(sync.tracker?.conflictCount()).toBe(1); // the clash was recorded here
      expect(result?.dataConflicts).toBe(1);

      const metrics = (await request(local.url).get('/api/sync/metrics').set('Authorization', `Bearer ${TEST_TOKEN}`).expect(200)).text;
      expect(metrics).toContain(`express_sqlite_sync_data_conflicts_total{peer="${peer.url}/api/sync"} 1`);
      expect(logger.lines).toContainEqual(expect.objectContaining({ event: 'sync.failed', code: 'BUSY', dataConflicts: 1 }));
      expect(logger.lines).toContainEqual(expect.objectContaining({ event: 'sync.conflicts', dataConflicts: 1 }));
    } finally {
      await node.stop();
      await local?.close();
      await peer?.close();
      peerDb.close();
      localDb.close();
      temp.cleanup();
    }
  });
});
