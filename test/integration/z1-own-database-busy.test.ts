import path from 'node:path';
import Database from 'better-sqlite3';
import express from 'express';
import { createSyncNode, type SyncNode } from '../../node/create-sync-node';
import { createSyncRouter } from '../../node/create-sync-router';
import { silentLogger } from '../../lib/logger';
import { startServer, TEST_TOKEN, type TestServer } from '../helpers/server';
import { tempDir } from '../helpers/temp';

const TABLE = 'CREATE TABLE notes (id TEXT PRIMARY KEY NOT NULL, body TEXT)';

/**
 * A script (the sqlite3 shell, a migration) holds `BEGIN IMMEDIATE` on this server's own database during
 * a round: its sync failed with SQLite's words alone, "database is locked" (code SQLITE_BUSY), on /status,
 * the status page and the log, while the peer, locked the same way, answers DATABASE_BUSY with the cause.
 * "database is locked" did not say whose database (the peer's? this one?), as "database or disk is full"
 * did not before the SQLITE_FULL message. The message says it is this server's own database, held by
 * another connection, and that the sync is retried; the round lands once the lock is free.
 */
describe("this server's own database locked by another connection during a round", () => {
  let temp: ReturnType<typeof tempDir>;
  let source: Database.Database;
  let local: Database.Database;
  let script: Database.Database;
  let server: TestServer;
  let node: SyncNode;
  beforeEach(async () => {
    temp = tempDir('ess-z1-own-busy-');
    source = new Database(path.join(temp.dir, 'source.db'));
    source.exec(TABLE);
    local = new Database(path.join(temp.dir, 'local.db'));
    local.exec(TABLE);
    local.pragma('busy_timeout = 50');
    script = new Database(path.join(temp.dir, 'local.db'));
    const app = express();
    app.use('/api/sync', createSyncRouter({ token: TEST_TOKEN, database: source, tables: ['notes'], logger: silentLogger }));
    server = await startServer(app);
    node = createSyncNode({ token: TEST_TOKEN, database: local, tables: ['notes'], peers: [`${server.url}/api/sync`], stateDir: path.join(temp.dir, 'state'), logger: silentLogger });
    source.prepare('INSERT INTO notes VALUES (?, ?)').run('n1', 'from the peer');
  });
  afterEach(async () => {
    if (script.inTransaction) script.exec('ROLLBACK');
    script.close();
    await node.stop();
    await server.close();
    local.close();
    source.close();
    temp.cleanup();
  });

  it("says it is this server's own database, held by another connection", async () => {
    script.exec('BEGIN IMMEDIATE');
    const [result] = await node.syncNow();
    expect(result?.ok).toBe(false);
    expect(result?.error?.message).toMatch(/this server's own database is locked by another connection/);
    expect(node.client?.peerStatuses()[0]?.lastError).toMatch(/this server's own database is locked by another connection/);
    script.exec('COMMIT');
    const [again] = await node.syncNow();
    expect(again?.ok).toBe(true);
    expect(local.prepare('SELECT id FROM notes').pluck().all()).toEqual(['n1']);
  });
});
