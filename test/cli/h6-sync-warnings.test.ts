import { mkdirSync } from 'node:fs';
import path from 'node:path';
import express from 'express';
import { silentLogger } from '../../lib/logger';
import { createSyncNode, type SyncNode } from '../../node/create-sync-node';
import { tempDb, type TempDb } from '../helpers/data';
import { put } from '../helpers/file-roots';
import { recordingServer, runCli } from '../helpers/h7-cli';
import { makeApp, startServer, TEST_TOKEN, type TestServer } from '../helpers/server';
import { tempDir } from '../helpers/temp';

const SCHEMA = 'CREATE TABLE notes (id TEXT PRIMARY KEY NOT NULL, body TEXT);';

/**
 * `sync` of a server with a root its peer does not have: the round is ok and carries an
 * `UNKNOWN_ROOT` warning, which `status` and the status page show; `sync` printed "✔" alone.
 * It now prints the warning under the peer's line, as `status` does (exit code 0: the round synced).
 */
describe('express-sqlite-sync sync: a round\'s warnings', () => {
  const dbs: TempDb[] = [];
  let temp: ReturnType<typeof tempDir>;
  let peer: TestServer;
  let local: TestServer;
  let node: SyncNode;

  beforeAll(async () => {
    temp = tempDir('ess-h6-sync-warnings-');
    const [a, b] = [tempDb(SCHEMA), tempDb(SCHEMA)];
    dbs.push(a, b);
    const dir = (name: string): string => {
      const made = path.join(temp.dir, name);
      mkdirSync(made, { recursive: true });
      return made;
    };
    peer = await startServer(makeApp({ name: 'peer', database: b.db, tables: ['notes'], roots: { uploads: dir('peer/uploads') } }));
    const roots = { uploads: dir('local/uploads'), config: dir('local/config') };
    put(roots.config, 'event.json', '{}');
    node = createSyncNode({ name: 'local', token: TEST_TOKEN, database: a.db, tables: ['notes'], roots, peers: [`${peer.url}/api/sync`], stateDir: dir('state'), logger: silentLogger });
    const app = express();
    app.use('/api/sync', node.router);
    local = await startServer(app);
  });
  afterAll(async () => {
    await node.stop(0);
    await local.close();
    await peer.close();
    for (const db of dbs.splice(0)) db.cleanup();
    temp.cleanup();
  });

  it('prints UNKNOWN_ROOT with its root under the peer\'s ✔ line, exit code 0', async () => {
    const result = await runCli(['sync', '--url', local.url, '--token', TEST_TOKEN]);
    expect(result.code).toBe(0);
    const lines = result.stdout.split('\n');
    expect(lines[0]).toMatch(/^✔ http:\/\/127\.0\.0\.1:\d+\/api\/sync {3}rows/);
    expect(lines[1]).toMatch(/^ {2}warning: UNKNOWN_ROOT config: the peer has no root "config"/);
  });

  it('a warning of another kind (no root: a later version\'s) is skipped, never a bad answer', async () => {
    const result = { peer: 'http://b', ok: true, rowsPulled: 0, rowsPushed: 0, filesUp: 0, filesDown: 0, filesDeleted: 0, dataConflicts: 0, fileConflicts: [], durationMs: 1,
      warnings: [{ code: 'SOMETHING_NEW', message: 'later' }, { code: 'UNKNOWN_ROOT', root: 'config', message: 'no root' }] };
    const stub = await recordingServer((_req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/x-ndjson' });
      res.end(`${JSON.stringify({ type: 'results', results: [result] })}\n`);
    });
    try {
      const printed = await runCli(['sync', '--url', `${stub.url}/api/sync`, '--token', TEST_TOKEN]);
      expect(printed.code).toBe(0);
      expect(printed.stdout.split('\n').slice(1)).toEqual(['  warning: UNKNOWN_ROOT config: no root', '']);
    } finally {
      await stub.close();
    }
  });
});
