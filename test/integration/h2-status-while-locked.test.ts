import path from 'node:path';
import Database from 'better-sqlite3';
import express from 'express';
import request from 'supertest';
import { silentLogger } from '../../lib/logger';
import { createSyncRouter } from '../../node/create-sync-router';
import { TEST_TOKEN } from '../helpers/server';
import { tempDir } from '../helpers/temp';

const AUTH = { Authorization: `Bearer ${TEST_TOKEN}` };

describe('GET /status and /metrics while another connection holds the write lock', () => {
  // Every status read took SQLite's write lock to fold, even with nothing to fold: while a script, a
  // migration or the sqlite3 shell held a write transaction, /status and /metrics froze the whole
  // server for the busy timeout (5 s each) and answered 500 INTERNAL "internal error".
  it.each(['wal', 'delete'])('answer 200 with the figures (journal_mode %s), and count what was folded before', async (journal) => {
    const temp = tempDir('ess-h2-locked-');
    const file = path.join(temp.dir, 'app.db');
    const db = new Database(file);
    const other = new Database(file);
    try {
      db.pragma(`journal_mode = ${journal}`);
      db.exec('CREATE TABLE notes (id TEXT PRIMARY KEY NOT NULL, body TEXT)');
      const app = express();
      app.use('/api/sync', createSyncRouter({ token: TEST_TOKEN, logger: silentLogger, database: db, tables: ['notes'] }));
      for (const id of ['a', 'b', 'c']) db.prepare('INSERT INTO notes VALUES (?, ?)').run(id, 'x');
      const before = (await request(app).get('/api/sync/status').set(AUTH).expect(200)).body as { seq: number };
      expect(before.seq).toBeGreaterThanOrEqual(3);

      other.exec('BEGIN IMMEDIATE');
      other.prepare('INSERT INTO notes VALUES (?, ?)').run('d', 'from a script'); // not committed: the lock is held
      const status = await request(app).get('/api/sync/status').set(AUTH);
      expect(status.status).toBe(200);
      expect(status.body).toMatchObject({ seq: before.seq, conflicts: 0, dataError: null });
      const metrics = await request(app).get('/api/sync/metrics').set(AUTH);
      expect(metrics.status).toBe(200);
      expect(metrics.text).toContain(`express_sqlite_sync_local_seq ${before.seq}\n`);
      other.exec('COMMIT');

      // The script's write is folded by the next read, once the lock is free.
      const after = (await request(app).get('/api/sync/status').set(AUTH).expect(200)).body as { seq: number };
      expect(after.seq).toBeGreaterThan(before.seq);
    } finally {
      if (other.inTransaction) other.exec('ROLLBACK');
      other.close();
      db.close();
      temp.cleanup();
    }
  }, 30_000);
});
