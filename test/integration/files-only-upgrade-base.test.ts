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
 * data server D (D does not list F). F's base with D was keyed by D's host, and was the one true base (D ran no
 * file round with F, and was told nothing). Once D is updated and answers GET /files/info, F's next round keys
 * the base by D's site id: the host-keyed base must carry over (it is what every round before used), not
 * count as none: a first sync made a conflict copy of every file edited on one side since, and brought back a
 * file deleted on the other.
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
  ])('keeps the base F kept by host for %s: an edit on D comes over, a deletion on F goes over, no conflict copy', async (_kind, withData) => {
    await setUp(withData);
    for (const name of ['a', 'b', 'c', 'd']) writeFileSync(path.join(folders.F, `${name}.json`), `{"${name}":1}`);
    const [first] = await nodes.F.syncNow();
    expect(first).toMatchObject({ ok: true, filesUp: 4 });
    older = false; // D updated
    writeFileSync(path.join(folders.D, 'a.json'), '{"a":2}');
    rmSync(path.join(folders.F, 'b.json'));
    const [after] = await nodes.F.syncNow();
    expect(after).toMatchObject({ ok: true, fileConflicts: [] });
    expect([readdirSync(folders.D).sort(), readdirSync(folders.F).sort()]).toEqual([
      ['a.json', 'c.json', 'd.json'],
      ['a.json', 'c.json', 'd.json'],
    ]);
    expect(readFileSync(path.join(folders.F, 'a.json'), 'utf8')).toBe('{"a":2}');
    const bases = readdirSync(path.join(temp.dir, 'state-F')).filter((file) => /^files-[0-9a-f]{16}\.json$/.test(file));
    expect(bases.map((file) => (JSON.parse(readFileSync(path.join(temp.dir, 'state-F', file), 'utf8')) as { site: string }).site)).toEqual([withData ? nodes.D.tracker?.siteId : nodes.D.client?.filesSite]);
  });
});
