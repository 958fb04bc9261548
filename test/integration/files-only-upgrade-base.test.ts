import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import express, { type RequestHandler } from 'express';
import { silentLogger } from '../../lib/logger';
import { createSyncNode, type SyncNode } from '../../node/create-sync-node';
import { TEST_SCHEMA, tempDb, type TempDb } from '../helpers/data';
import { startServer, TEST_TOKEN, type TestServer } from '../helpers/server';
import { TABLES } from '../helpers/snapshot';
import { tempDir } from '../helpers/temp';

/**
 * The set-up the docs asked for before servers without data kept an identity: a files-only server F lists the
 * data server D (or another files-only server). F's base with D was keyed by D's host. Once D is updated and
 * answers GET /files/info, F's next round keys the base by D's id and the host-keyed one is no base (the server
 * now at that URL need not be the one it was kept with): one first sync, as PROTOCOL.md says, with a data peer
 * too: nothing deleted, an edit on one side kept twice, a deletion on the other undone.
 */
describe('a files-only server whose peer is updated to answer GET /files/info', () => {
  let temp: ReturnType<typeof tempDir>;
  let data: TempDb;
  let server: TestServer;
  let nodes: { D: SyncNode; F: SyncNode };
  let folders: { D: string; F: string };
  let older = true;
  async function setUp(withData: boolean): Promise<void> {
    older = true;
    temp = tempDir('ess-files-only-upgrade-');
    folders = { D: path.join(temp.dir, 'D'), F: path.join(temp.dir, 'F') };
    mkdirSync(folders.D);
    mkdirSync(folders.F);
    data = tempDb(TEST_SCHEMA);
    const app = express();
    // D of the older version: no GET /files/info, no POST /files/settled.
    const asOlder: RequestHandler = (req, res, next) => {
      if (older && (req.path === '/files/info' || req.path === '/files/settled')) res.status(404).json({ error: { code: 'NOT_FOUND', message: `no sync endpoint ${req.method} ${req.path}` } });
      else next();
    };
    server = await startServer(app);
    nodes = {
      D: withData
        ? createSyncNode({ token: TEST_TOKEN, logger: silentLogger, database: data.db, tables: TABLES, roots: { config: folders.D } })
        : createSyncNode({ token: TEST_TOKEN, logger: silentLogger, roots: { config: folders.D }, peers: ['http://127.0.0.1:9/api/sync'], stateDir: path.join(temp.dir, 'state-D') }),
      F: createSyncNode({ token: TEST_TOKEN, logger: silentLogger, roots: { config: folders.F }, peers: [`${server.url}/api/sync`], stateDir: path.join(temp.dir, 'state-F') }),
    };
    app.use('/api/sync', asOlder, nodes.D.router);
  }
  afterEach(async () => {
    await nodes.D.stop();
    await nodes.F.stop();
    await server.close();
    data.cleanup();
    temp.cleanup();
  });

  it.each([
    ['a data server', true],
    ['a files-only server', false],
  ])('with %s: one first sync, nothing deleted on either side', async (_kind, withData) => {
    await setUp(withData);
    for (const name of ['a', 'b', 'c', 'd']) writeFileSync(path.join(folders.F, `${name}.json`), `{"${name}":1}`);
    const [first] = await nodes.F.syncNow();
    expect(first).toMatchObject({ ok: true, filesUp: 4 });
    older = false; // D updated
    writeFileSync(path.join(folders.D, 'a.json'), '{"a":2}');
    rmSync(path.join(folders.F, 'b.json'));
    const [after] = await nodes.F.syncNow();
    expect(after).toMatchObject({ ok: true, filesDeleted: 0, fileConflicts: [{ path: 'config/a.json' }] });
    for (const side of [folders.D, folders.F]) expect(readdirSync(side).filter((name) => !name.includes('sync-conflict')).sort()).toEqual(['a.json', 'b.json', 'c.json', 'd.json']);
    // Both sides hold the same files after it, and the next round finds nothing to do.
    expect(readdirSync(folders.D).sort()).toEqual(readdirSync(folders.F).sort());
    const [next] = await nodes.F.syncNow();
    expect(next).toMatchObject({ ok: true, filesUp: 0, filesDown: 0, filesDeleted: 0, fileConflicts: [] });
    const bases = readdirSync(path.join(temp.dir, 'state-F')).filter((file) => /^files-[0-9a-f]{16}\.json$/.test(file));
    expect(bases.map((file) => (JSON.parse(readFileSync(path.join(temp.dir, 'state-F', file), 'utf8')) as { site: string }).site)).toEqual([withData ? nodes.D.tracker?.siteId : nodes.D.client?.filesSite]);
  });
});
