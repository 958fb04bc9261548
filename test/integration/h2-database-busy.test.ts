import path from 'node:path';
import Database from 'better-sqlite3';
import express from 'express';
import request from 'supertest';
import { enableCapture } from '../../lib/data/capture';
import { silentLogger } from '../../lib/logger';
import { createSyncRouter } from '../../node/create-sync-router';
import { TEST_TOKEN } from '../helpers/server';
import { tempDir } from '../helpers/temp';

const AUTH = { Authorization: `Bearer ${TEST_TOKEN}` };
const SCHEMA = 'CREATE TABLE notes (id TEXT PRIMARY KEY NOT NULL, body TEXT)';

describe('a sync route while another connection holds the write lock', () => {
  // A peer asking while a script or the sqlite3 shell held a write transaction got 500 INTERNAL
  // "internal error", and its operator read "peer answered 500: internal error": a fault of ours, not a busy database.
  it('answers 503 DATABASE_BUSY naming the cause (GET /data/info, POST /data/changes), and 200 once the lock is free', async () => {
    const temp = tempDir('ess-h2-busy-');
    const file = path.join(temp.dir, 'app.db');
    const db = new Database(file);
    const other = new Database(file);
    const peerDb = new Database(path.join(temp.dir, 'peer.db'));
    try {
      db.pragma('busy_timeout = 50'); // the app's choice; the default 5 s only makes the wait longer
      db.exec(SCHEMA);
      peerDb.exec(SCHEMA);
      const peer = enableCapture(peerDb, { tables: ['notes'] });
      peerDb.prepare('INSERT INTO notes VALUES (?, ?)').run('p1', 'from the peer');
      const app = express();
      app.use('/api/sync', createSyncRouter({ token: TEST_TOKEN, logger: silentLogger, database: db, tables: ['notes'] }));
      db.prepare('INSERT INTO notes VALUES (?, ?)').run('a', 'waits to be folded'); // a local write the next read folds

      other.exec('BEGIN IMMEDIATE');
      other.prepare('INSERT INTO notes VALUES (?, ?)').run('b', 'from a script');
      const info = await request(app).get('/api/sync/data/info').set(AUTH);
      expect(info.status).toBe(503);
      expect(info.body).toMatchObject({ error: { code: 'DATABASE_BUSY', message: expect.stringContaining('another connection') } });
      const push = await request(app).post('/api/sync/data/changes').set(AUTH).send(peer.readChanges(0, 100));
      expect(push.status).toBe(503);
      expect((push.body as { error: { code: string } }).error.code).toBe('DATABASE_BUSY');
      other.exec('COMMIT');

      await request(app).get('/api/sync/data/info').set(AUTH).expect(200);
      await request(app).post('/api/sync/data/changes').set(AUTH).send(peer.readChanges(0, 100)).expect(200);
      expect(db.prepare('SELECT id FROM notes ORDER BY id').pluck().all()).toEqual(['a', 'b', 'p1']);
    } finally {
      if (other.inTransaction) other.exec('ROLLBACK');
      other.close();
      db.close();
      peerDb.close();
      temp.cleanup();
    }
  });
});
