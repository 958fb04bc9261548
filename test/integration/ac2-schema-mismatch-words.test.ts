import path from 'node:path';
import Database from 'better-sqlite3';
import { silentLogger } from '../../lib/logger';
import { createSyncNode, type SyncNode } from '../../node/create-sync-node';
import { makeApp, startServer, TEST_TOKEN, type TestServer } from '../helpers/server';
import { tempDir } from '../helpers/temp';

/**
 * Two servers whose tracked schemas differ (a column added on one): the server
 * without the column read "http://…/api/sync/ tracks a different schema:
 * teams.coach exists only on the sender" on /status, its status page, the CLI and
 * its log. In a handshake nobody sends anything: the words were written for a
 * refused push, and read here they left the operator guessing which server has
 * the column. A handshake's differences say "here" and "there".
 */
describe('SCHEMA_MISMATCH found in a handshake names the sides as here and there', () => {
  let temp: ReturnType<typeof tempDir>;
  let withColumn: Database.Database;
  let without: Database.Database;
  let server: TestServer;
  let node: SyncNode;

  beforeEach(async () => {
    temp = tempDir();
    withColumn = new Database(path.join(temp.dir, 'with.db'));
    withColumn.exec('CREATE TABLE teams (id TEXT PRIMARY KEY NOT NULL, name TEXT, coach TEXT, size INTEGER)');
    without = new Database(path.join(temp.dir, 'without.db'));
    without.exec('CREATE TABLE teams (id TEXT PRIMARY KEY NOT NULL, name TEXT, size TEXT); CREATE TABLE pits (id TEXT PRIMARY KEY NOT NULL)');
    server = await startServer(makeApp({ database: withColumn, tables: ['teams'] }));
    node = createSyncNode({ token: TEST_TOKEN, database: without, tables: ['teams', 'pits'], peers: [`${server.url}/api/sync`], stateDir: path.join(temp.dir, 'state'), logger: silentLogger });
  });
  afterEach(async () => {
    await node.stop();
    await server.close();
    withColumn.close();
    without.close();
    temp.cleanup();
  });

  it('the asking server reads which side has what, with no "sender"', async () => {
    const [result] = await node.syncNow();
    expect(result?.error?.code).toBe('SCHEMA_MISMATCH');
    const message = result?.error?.message ?? '';
    expect(message).toContain('teams.coach exists only there');
    expect(message).toContain('teams.size is size TEXT here but size INTEGER there');
    expect(message).toContain('table pits is tracked only here');
    expect(message).not.toContain('sender');
    expect(node.client?.peerStatuses()[0]?.lastError).toBe(`SCHEMA_MISMATCH: ${message}`);
  });
});
