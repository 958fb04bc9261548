import path from 'node:path';
import Database from 'better-sqlite3';
import express from 'express';
import { createSyncNode, type SyncNode } from '../../node/create-sync-node';
import { createSyncRouter } from '../../node/create-sync-router';
import { captureLog } from '../helpers/log';
import { startServer, TEST_TOKEN, type TestServer } from '../helpers/server';
import { tempDir } from '../helpers/temp';

const TABLE = 'CREATE TABLE notes (id TEXT PRIMARY KEY NOT NULL, body TEXT)';

function openDatabase(file: string): Database.Database {
  const db = new Database(file);
  db.exec(TABLE);
  return db;
}

/**
 * A server whose database cannot grow (its disk full; here its `max_page_count`,
 * the same SQLITE_FULL): a peer's push was 500 "internal error", so the
 * pushing peer's log and /status said only "POST data/changes: internal
 * error", round after round. Now 507 INSUFFICIENT_STORAGE says the
 * database cannot grow, nothing is applied, and the same push lands once
 * there is room.
 */
describe("a push to a server whose database is full: 507 INSUFFICIENT_STORAGE, nothing applied", () => {
  let temp: ReturnType<typeof tempDir>;
  let full: Database.Database;
  let sender: Database.Database;
  let server: TestServer;
  let node: SyncNode;
  let serverLog: ReturnType<typeof captureLog>;
  let senderLog: ReturnType<typeof captureLog>;

  beforeEach(async () => {
    temp = tempDir();
    full = openDatabase(path.join(temp.dir, 'full.db'));
    sender = openDatabase(path.join(temp.dir, 'sender.db'));
    serverLog = captureLog();
    senderLog = captureLog();
    const app = express();
    app.use('/api/sync', createSyncRouter({ token: TEST_TOKEN, database: full, tables: ['notes'], logger: serverLog.logger }));
    server = await startServer(app);
    node = createSyncNode({ token: TEST_TOKEN, database: sender, tables: ['notes'], peers: [`${server.url}/api/sync`], stateDir: path.join(temp.dir, 'state'), logger: senderLog.logger });
    const insert = sender.prepare('INSERT INTO notes VALUES (?, ?)');
    sender.transaction(() => {
      for (let index = 0; index < 500; index += 1) insert.run(`note-${index}`, 'x'.repeat(400));
    })();
    full.pragma(`max_page_count = ${Number(full.pragma('page_count', { simple: true })) + 4}`);
  });
  afterEach(async () => {
    await node.stop();
    await server.close();
    full.close();
    sender.close();
    temp.cleanup();
  });

  it("the pushing peer reads the code and the cause; the full server applied nothing and logs the detail", async () => {
    const [result] = await node.syncNow();
    expect(result?.ok).toBe(false);
    expect(result?.error?.code).toBe('INSUFFICIENT_STORAGE');
    expect(result?.error?.message).toMatch(/the receiving server's database cannot grow/); // not "this server": it is read at the peer
    expect(full.prepare('SELECT count(*) FROM notes').pluck().get()).toBe(0);
    expect(full.pragma('integrity_check', { simple: true })).toBe('ok');
    const status = node.client?.peerStatuses()[0];
    expect(status).toMatchObject({ state: 'failing', lastErrorCode: 'INSUFFICIENT_STORAGE' });
    expect(senderLog.events('sync.failed')).toEqual([expect.objectContaining({ code: 'INSUFFICIENT_STORAGE' })]);
    expect(serverLog.events('request.failed')).toEqual([expect.objectContaining({ status: 507, code: 'INSUFFICIENT_STORAGE' })]);

    full.pragma('max_page_count = 1073741823'); // the operator freed space
    const [again] = await node.syncNow();
    expect(again?.ok).toBe(true);
    expect(full.prepare('SELECT count(*) FROM notes').pluck().get()).toBe(500);
  });
});

/**
 * The other way: this server's own database is full while it applies what it
 * pulled. The log and /status said "database or disk is full" (SQLite's words),
 * which an operator read as the peer's disk. Now they say it is this server's.
 */
describe("a pull into this server's own full database names this server", () => {
  let temp: ReturnType<typeof tempDir>;
  let source: Database.Database;
  let puller: Database.Database;
  let server: TestServer;
  let node: SyncNode;
  let log: ReturnType<typeof captureLog>;

  beforeEach(async () => {
    temp = tempDir();
    source = openDatabase(path.join(temp.dir, 'source.db'));
    puller = openDatabase(path.join(temp.dir, 'puller.db'));
    const app = express();
    app.use('/api/sync', createSyncRouter({ token: TEST_TOKEN, database: source, tables: ['notes'], logger: captureLog().logger }));
    server = await startServer(app);
    log = captureLog();
    node = createSyncNode({ token: TEST_TOKEN, database: puller, tables: ['notes'], peers: [`${server.url}/api/sync`], stateDir: path.join(temp.dir, 'state'), logger: log.logger });
    const insert = source.prepare('INSERT INTO notes VALUES (?, ?)');
    source.transaction(() => {
      for (let index = 0; index < 500; index += 1) insert.run(`note-${index}`, 'x'.repeat(400));
    })();
    puller.pragma(`max_page_count = ${Number(puller.pragma('page_count', { simple: true })) + 4}`);
  });
  afterEach(async () => {
    await node.stop();
    await server.close();
    source.close();
    puller.close();
    temp.cleanup();
  });

  it('sync.failed and /status say this server\'s own database cannot grow; nothing was applied', async () => {
    const [result] = await node.syncNow();
    expect(result?.error?.code).toBe('SQLITE_FULL');
    expect(result?.error?.message).toMatch(/^this server's own database cannot grow .*free space on this server/);
    expect(node.client?.peerStatuses()[0]?.lastError).toMatch(/this server's own database cannot grow/);
    expect(log.events('sync.failed')[0]?.msg).toMatch(/this server's own database cannot grow/);
    expect(puller.prepare('SELECT count(*) FROM notes').pluck().get()).toBe(0);
  });
});
