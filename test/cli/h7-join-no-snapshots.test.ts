import { existsSync } from 'node:fs';
import path from 'node:path';
import express from 'express';
import { silentLogger } from '../../lib/logger';
import { createSyncNode } from '../../node/create-sync-node';
import { TEST_SCHEMA, tempDb, type TempDb } from '../helpers/data';
import { makeRoots } from '../helpers/file-roots';
import { startServer, TEST_TOKEN, type TestServer } from '../helpers/server';
import { cli, TABLES } from '../helpers/snapshot';
import { tempDir } from '../helpers/temp';

/**
 * `join --from` a peer that serves no snapshots: one started with
 * `serveSnapshots: false`, or one of a version from before snapshots (its
 * router answers 404 NOT_FOUND, "no sync endpoint GET /data/snapshot", after
 * its /data/info answered). The second used to end in "Is --url (--from for
 * join) the server's sync API?", sending the user to check a URL that works;
 * neither said that a new server can still start from that peer, empty, page
 * by page. Both are now `SNAPSHOTS_OFF` with that way out, and nothing is made.
 */
describe('join from a peer that serves no snapshots', () => {
  let temp: ReturnType<typeof tempDir>;
  let data: TempDb;
  let server: TestServer;
  beforeEach(() => {
    temp = tempDir('ess-h7-join-no-snap-');
    data = tempDb(TEST_SCHEMA);
    data.db.prepare("INSERT INTO teams (id, name, number) VALUES ('t1', 'one', 1)").run();
  });
  afterEach(async () => {
    await server.close();
    data.cleanup();
    temp.cleanup();
  });

  /** A peer's sync router, behind an app that answers the snapshot route as a router of an older version does when `older`. */
  async function startPeer(options: { readonly serveSnapshots?: boolean; readonly older?: boolean }): Promise<string> {
    const node = createSyncNode({ token: TEST_TOKEN, logger: silentLogger, database: data.db, tables: TABLES, roots: makeRoots(path.join(temp.dir, 'roots')), serveSnapshots: options.serveSnapshots });
    const app = express();
    if (options.older === true) {
      app.get('/api/sync/data/snapshot', (_req, res) => {
        res.status(404).json({ error: { code: 'NOT_FOUND', message: 'no sync endpoint GET /data/snapshot' } });
      });
    }
    app.use('/api/sync', node.router);
    server = await startServer(app);
    return `${server.url}/api/sync`;
  }

  it.each([
    ['serveSnapshots: false', { serveSnapshots: false }],
    ['a version from before snapshots (404 NOT_FOUND)', { older: true }],
  ])('%s: SNAPSHOTS_OFF, the way out named, not a hint to check --from, and nothing made', async (_label, options) => {
    const url = await startPeer(options);
    const target = path.join(temp.dir, 'fresh', 'app.db');
    const joined = await cli('join', '--from', url, '--db', target, '--token', TEST_TOKEN, '--json');
    expect(joined.code).toBe(1);
    const failure = (JSON.parse(joined.stdout) as { error: { code: string; message: string } }).error;
    expect(failure.code).toBe('SNAPSHOTS_OFF');
    expect(failure.message).toMatch(/serves no snapshots/);
    expect(failure.message).toMatch(/empty database/);
    expect(joined.stderr).not.toMatch(/Is --url|sync API\?/);
    expect(existsSync(path.join(temp.dir, 'fresh'))).toBe(false);
  });
});
