import { randomUUID } from 'node:crypto';
import path from 'node:path';
import express from 'express';
import { createSyncNode, type SyncNode } from '../../index';
import { silentLogger } from '../../lib/logger';
import { TEST_SCHEMA, tempDb, type TempDb } from '../helpers/data';
import { makeRoots } from '../helpers/file-roots';
import { startServer, TEST_TOKEN, type TestServer } from '../helpers/server';
import { addTeams, TABLES } from '../helpers/snapshot';
import { tempDir } from '../helpers/temp';

/** A server of the test, with the requests it was asked (method and URL). */
interface Server {
  readonly data: TempDb;
  readonly node: SyncNode;
  readonly http: TestServer;
  readonly syncUrl: string;
  readonly asked: string[];
}

/** Holds requests under `path` back for `ms`. */
function delay(route: string, ms: number): [string, express.RequestHandler] {
  return [route, (_req, _res, next) => void setTimeout(next, ms)];
}

/**
 * A new server C started with two peers at once (`syncAll`, as `start()` does): A, far ahead, is joined from by
 * snapshot; B, small, is paged from. B answers its handshake sooner than A, so B's round is past the wait for a join
 * (none under way yet) and its first page is on the way when A's join starts. Before, that page was applied during A's
 * download: the import found the database no longer empty and threw the snapshot away, and all of A came page by page.
 */
describe('a join from one peer while a pull from another is already on its way', () => {
  let temp: ReturnType<typeof tempDir>;
  const servers: Server[] = [];

  async function start(name: string, options: { peers?: string[]; delays?: [string, express.RequestHandler][] } = {}): Promise<Server> {
    const data = tempDb(TEST_SCHEMA);
    const peers = options.peers === undefined ? {} : { peers: options.peers, stateDir: path.join(temp.dir, `state-${name}`), snapshotMinChanges: 100 };
    const roots = makeRoots(path.join(temp.dir, `${name}-${randomUUID()}`));
    const node = createSyncNode({ token: TEST_TOKEN, logger: silentLogger, database: data.db, tables: TABLES, roots, ...peers });
    const asked: string[] = [];
    const app = express().use((req, _res, next) => {
      asked.push(`${req.method} ${req.originalUrl}`);
      next();
    });
    for (const [route, handler] of options.delays ?? []) app.use(`/api/sync${route}`, handler);
    const http = await startServer(app.use('/api/sync', node.router));
    const server = { data, node, http, syncUrl: `${http.url}/api/sync`, asked };
    servers.push(server);
    return server;
  }

  beforeEach(() => {
    temp = tempDir('ess-ac4-join-race-');
  });
  afterEach(async () => {
    for (const server of servers.splice(0)) {
      await server.node.stop();
      await server.http.close();
      server.data.cleanup();
    }
    temp.cleanup();
  });

  it("waits with the other peer's pages until the import is done: the snapshot is kept, A is not paged from the start", async () => {
    const a = await start('a', { delays: [delay('/data/info', 150), delay('/data/snapshot', 600)] });
    addTeams(a.data.db, 3000, 'a');
    const b = await start('b', { delays: [delay('/data/changes', 300)] });
    addTeams(b.data.db, 50, 'b');
    const c = await start('c', { peers: [a.syncUrl, b.syncUrl] });

    const results = await c.node.client?.syncAll();
    expect(results?.map((result) => [result.ok, result.rowsPulled])).toEqual([
      [true, 3000],
      [true, 50],
    ]);
    expect(a.asked.filter((line) => line.startsWith('GET /api/sync/data/snapshot'))).toHaveLength(1);
    // Imported: the pull from A starts at the snapshot's seq, never from 0.
    expect(a.asked.filter((line) => line.startsWith('GET /api/sync/data/changes') && /[?&]since=0(&|$)/.test(line))).toEqual([]);
    const ids = (server: Server): string[] => server.data.db.prepare('SELECT id FROM teams ORDER BY id').pluck().all() as string[];
    expect(ids(c)).toHaveLength(3050);
    expect(ids(c)).toEqual([...new Set([...ids(a), ...ids(b)])].sort());
  });
});
