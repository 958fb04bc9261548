import { existsSync } from 'node:fs';
import path from 'node:path';
import express from 'express';
import { silentLogger } from '../../lib/logger';
import { createSyncNode } from '../../node/create-sync-node';
import { TEST_SCHEMA, tempDb, type TempDb } from '../helpers/data';
import { makeRoots } from '../helpers/file-roots';
import { startServer, TEST_TOKEN, type TestServer } from '../helpers/server';
import { addTeams, cli, TABLES } from '../helpers/snapshot';
import { tempDir } from '../helpers/temp';

/**
 * `join --from` a peer with which this version shares no page protocol (a
 * newer server that dropped protocols 1 and 2). The join downloaded its
 * snapshot, put the database in place, then the pull after it failed with
 * PROTOCOL_MISMATCH, exit code 2 and "the server catches up at its first
 * sync": it never would, every round fails the same. The handshake's check
 * now comes first: PROTOCOL_MISMATCH, nothing downloaded, nothing made.
 */
describe('join from a peer that speaks no page protocol of this version', () => {
  let temp: ReturnType<typeof tempDir>;
  let data: TempDb;
  let server: TestServer;
  beforeEach(async () => {
    temp = tempDir('ess-h7-join-protocol-');
    data = tempDb(TEST_SCHEMA);
    addTeams(data.db, 20, 'peer');
    const node = createSyncNode({ token: TEST_TOKEN, logger: silentLogger, database: data.db, tables: TABLES, roots: makeRoots(path.join(temp.dir, 'roots')) });
    const tracker = node.tracker;
    if (tracker === undefined) throw new Error('no tracker');
    let snapshots = 0;
    const app = express();
    app.get('/api/sync/data/info', (_req, res) => {
      res.json({ ...tracker.info(), protocol: 7, protocols: [7, 8] });
    });
    app.get('/api/sync/data/snapshot', (_req, _res, next) => {
      snapshots += 1;
      next();
    });
    app.get('/h7/snapshots', (_req, res) => {
      res.json({ snapshots });
    });
    app.use('/api/sync', node.router);
    server = await startServer(app);
  });
  afterEach(async () => {
    await server.close();
    data.cleanup();
    temp.cleanup();
  });

  it('is PROTOCOL_MISMATCH before any download, and nothing is made', async () => {
    const target = path.join(temp.dir, 'fresh', 'app.db');
    const joined = await cli('join', '--from', `${server.url}/api/sync`, '--db', target, '--token', TEST_TOKEN, '--json');
    expect(joined.code).toBe(1);
    const failure = (JSON.parse(joined.stdout.trim().split('\n').pop() as string) as { error: { code: string; message: string } }).error;
    expect(failure.code).toBe('PROTOCOL_MISMATCH');
    expect(failure.message).toMatch(/protocol 7, 8/);
    expect(existsSync(target)).toBe(false);
    expect(existsSync(path.join(temp.dir, 'fresh'))).toBe(false);
    const asked = (await (await fetch(`${server.url}/h7/snapshots`)).json()) as { snapshots: number };
    expect(asked.snapshots).toBe(0);
  });
});
