import { mkdirSync } from 'node:fs';
import path from 'node:path';
import express from 'express';
import request from 'supertest';
import { silentLogger } from '../../lib/logger';
import { createSyncNode, type SyncNode } from '../../node/create-sync-node';
import { tempDb, type TempDb } from '../helpers/data';
import { put } from '../helpers/file-roots';
import { runCli } from '../helpers/h7-cli';
import { makeApp, startServer, TEST_TOKEN, type TestServer } from '../helpers/server';
import { tempDir } from '../helpers/temp';

const SCHEMA = 'CREATE TABLE notes (id TEXT PRIMARY KEY NOT NULL, body TEXT);';

/**
 * A root this server syncs that the peer does not have (the peer answers UNKNOWN_ROOT) was skipped
 * without a word: the round was ok and nothing said the root's files never travel. Now the round
 * carries a warning naming the root (`warnings` of the result, so of the peer's `lastResult` on `/status`, a line
 * of the CLI's `status`); the round stays ok and its data part is done.
 */
describe('a root the peer does not know', () => {
  const dbs: TempDb[] = [];
  let temp: ReturnType<typeof tempDir>;
  let peer: TestServer;
  let local: TestServer;
  let node: SyncNode;

  beforeEach(async () => {
    temp = tempDir('ess-h2-root-');
    const [a, b] = [tempDb(SCHEMA), tempDb(SCHEMA)];
    dbs.push(a, b);
    const dir = (name: string): string => {
      const made = path.join(temp.dir, name);
      mkdirSync(made, { recursive: true });
      return made;
    };
    peer = await startServer(makeApp({ name: 'peer', database: b.db, tables: ['notes'], roots: { uploads: dir('peer/uploads') } }));
    b.db.prepare("INSERT INTO notes VALUES ('n1', 'from the peer')").run();
    const roots = { uploads: dir('local/uploads'), config: dir('local/config') };
    put(roots.config, 'event.json', '{}');
    node = createSyncNode({ name: 'local', token: TEST_TOKEN, database: a.db, tables: ['notes'], roots, peers: [`${peer.url}/api/sync`], stateDir: dir('state'), logger: silentLogger });
    const app = express();
    app.use('/api/sync', node.router);
    local = await startServer(app);
  });

  afterEach(async () => {
    await node.stop(0);
    await local.close();
    await peer.close();
    for (const db of dbs.splice(0)) db.cleanup();
    temp.cleanup();
  });

  it('is a warning naming the root on the result, /status and the CLI; the round is ok and its data synced', async () => {
    const [result] = await node.syncNow();
    expect(result).toMatchObject({ ok: true, rowsPulled: 1 });
    expect(result?.warnings).toEqual([{ code: 'UNKNOWN_ROOT', root: 'config', message: expect.stringMatching(/"config"/) }]);
    const status = await request(local.app).get('/api/sync/status').set('Authorization', `Bearer ${TEST_TOKEN}`).expect(200);
    const shown = (status.body as { peers: Array<{ state: string; lastResult: { warnings: unknown } }> }).peers[0];
    expect(shown?.state).toBe('ok');
    expect(shown?.lastResult.warnings).toEqual([{ code: 'UNKNOWN_ROOT', root: 'config', message: expect.stringMatching(/"config"/) }]);
    const cli = await runCli(['status', '--url', local.url, '--token', TEST_TOKEN]);
    expect(cli.stdout).toMatch(/UNKNOWN_ROOT.*config/);
  });
});
