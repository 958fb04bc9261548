import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import express, { type RequestHandler } from 'express';
import { formatStatus } from '../../bin/commands/status';
import { silentLogger } from '../../lib/logger';
import { syncStatusCheck } from '../../lib/peers/status-schema';
import type { PeerStatus, PeerSyncResult } from '../../lib/peers/sync-status';
import { createSyncNode, type SyncNode } from '../../node/create-sync-node';
import { createSyncRouter } from '../../node/create-sync-router';
import { TEST_SCHEMA, tempDb, type TempDb } from '../helpers/data';
import { captureLog, LEVEL, type CapturedLog } from '../helpers/log';
import { startServer, TEST_TOKEN, type TestServer } from '../helpers/server';
import { TABLES } from '../helpers/snapshot';
import { tempDir } from '../helpers/temp';

const FOUR = ['a.json', 'b.json', 'c.json', 'z.json'];
const THREE = ['a.json', 'b.json', 'c.json'];
const HOUR = 3_600_000;

/** Writes four files in `folder` (four, so that deleting one is under the mass-delete guard's 50 %). */
function writeFour(folder: string): void {
  for (const name of FOUR) writeFileSync(path.join(folder, name), `{"${name}":1}`);
}

/**
 * A data server (D) and a files-only server (F) that list each other. D's rounds stopped at the
 * handshake's `DATA_OFF` and moved no file (6e5e0f3, which let them, was reverted: F had no site
 * id, so the two bases parted and a file deleted on F came back from D). F now keeps an identity,
 * both learn each other's from `GET /files/info`, and the settlements go both ways: D's rounds
 * sync the files again. They reported `DATA_OFF` as their error all the same: `ok: false`, a
 * failing peer on /status and /metrics, a `sync.failed` line each round and the scheduler backing
 * off (up to a minute) from a peer that works as configured. Such a round is now `ok`, and the
 * peer's status says `filesOnly` (logged once, `peer.files_only`).
 */
describe('a data server and a files-only server that list each other', () => {
  let temp: ReturnType<typeof tempDir>;
  let data: TempDb;
  let servers: TestServer[];
  let nodes: { D: SyncNode; F: SyncNode };
  let folders: { D: string; F: string };
  let logD: CapturedLog;
  beforeEach(async () => {
    temp = tempDir('ess-data-files-only-');
    logD = captureLog();
    folders = { D: path.join(temp.dir, 'D'), F: path.join(temp.dir, 'F') };
    mkdirSync(folders.D);
    mkdirSync(folders.F);
    const apps = [express(), express()];
    servers = [await startServer(apps[0] as express.Express), await startServer(apps[1] as express.Express)];
    data = tempDb(TEST_SCHEMA);
    const [urlD, urlF] = servers.map((server) => `${server.url}/api/sync`) as [string, string];
    nodes = {
      D: createSyncNode({ token: TEST_TOKEN, logger: logD.logger, database: data.db, tables: TABLES, roots: { config: folders.D }, peers: [urlF], stateDir: path.join(temp.dir, 'state-D') }),
      F: createSyncNode({ token: TEST_TOKEN, logger: silentLogger, roots: { config: folders.F }, peers: [urlD], stateDir: path.join(temp.dir, 'state-F') }),
    };
    apps[0]?.use('/api/sync', nodes.D.router);
    apps[1]?.use('/api/sync', nodes.F.router);
  });
  afterEach(async () => {
    await nodes.D.stop();
    await nodes.F.stop();
    for (const server of servers) await server.close();
    data.cleanup();
    temp.cleanup();
  });

  /** One round of `name`'s: both end well (D's with F, which has no data, syncs the files). */
  async function sync(name: 'D' | 'F'): Promise<PeerSyncResult> {
    const [result] = await nodes[name].syncNow();
    expect(result).toMatchObject({ ok: true });
    expect(result?.error).toBeUndefined();
    return result as PeerSyncResult;
  }
  /** D's `GET /status` or `GET /metrics` answer, over HTTP. */
  async function askD(route: 'status' | 'metrics'): Promise<Response> {
    const answer = await fetch(`${servers[0]?.url ?? ''}/api/sync/${route}`, { headers: { Authorization: `Bearer ${TEST_TOKEN}` } });
    expect(answer.status).toBe(200);
    return answer;
  }
  /** F as D's `GET /status` shows it, D's transports, and the CLI's `status` of it. */
  async function statusOfD(): Promise<{ peer: PeerStatus; transports: unknown[]; printed: string }> {
    const body = (await (await askD('status')).json()) as Parameters<typeof formatStatus>[0] & { peers: PeerStatus[]; transports: unknown[] };
    expect(syncStatusCheck.Check(body)).toBe(true);
    return { peer: body.peers[0] as PeerStatus, transports: body.transports, printed: formatStatus(body) };
  }
  const other = (name: 'D' | 'F'): 'D' | 'F' => (name === 'D' ? 'F' : 'D');

  it.each([
    ['D', 'D'],
    ['D', 'F'],
    ['F', 'F'],
    ['F', 'D'],
  ] as const)("a file sent over by %s's round and deleted on %s stays deleted on both, whichever round comes first", async (sender, deleter) => {
    await sync('D');
    await sync('F');
    writeFour(folders[sender]);
    const sent = await sync(sender);
    expect(sent.filesUp).toBe(4);
    rmSync(path.join(folders[deleter], 'z.json'));
    await sync(other(sender));
    await sync(sender);
    await sync(other(sender));
    expect([readdirSync(folders.D).sort(), readdirSync(folders.F).sort()]).toEqual([THREE, THREE]);
  });

  it("a file sent over by D's round and edited on F is sent back by F's round, with no conflict copy", async () => {
    await sync('D');
    await sync('F');
    writeFour(folders.D);
    await sync('D');
    writeFileSync(path.join(folders.F, 'z.json'), '{"z":2}');
    await sync('F');
    await sync('D');
    expect([readdirSync(folders.D).sort(), readdirSync(folders.F).sort()]).toEqual([FOUR, FOUR]);
    expect(readFileSync(path.join(folders.D, 'z.json'), 'utf8')).toBe('{"z":2}');
  });

  it("D's periodic rounds with F are successes: ok on /status and /metrics, the next at the interval, files only said once", async () => {
    writeFour(folders.F);
    nodes.D.start(HOUR);
    const [first] = await nodes.D.syncNow();
    expect(first).toMatchObject({ ok: true, filesDown: 4 });
    const [second] = await nodes.D.syncNow();
    expect(second).toMatchObject({ ok: true, filesDown: 0, filesUp: 0 });
    const { peer, transports, printed } = await statusOfD();
    expect(printed).toContain(' ok   files only (the peer runs without a database: no data syncs with it)');
    expect(peer).toMatchObject({ state: 'ok', failures: 0, backingOff: false, lastError: null, lastErrorCode: null, filesOnly: true, undeliveredChanges: null, lastResult: { ok: true } });
    expect(Date.parse(peer.nextRunAt ?? '')).toBeGreaterThan(Date.now() + HOUR - 60_000); // no backoff retry within the minute
    expect(transports).toEqual([]); // no data transport shown failing for a peer that syncs files only
    const metrics = await (await askD('metrics')).text();
    expect(metrics).toMatch(/^express_sqlite_sync_peer_up\{[^}]*\} 1$/m);
    expect(metrics).toMatch(/^express_sqlite_sync_peer_failures_total\{[^}]*\} 0$/m);
    expect(metrics).toMatch(/^express_sqlite_sync_peer_backing_off\{[^}]*\} 0$/m);
    expect(logD.events('sync.failed')).toEqual([]);
    const said = logD.events('peer.files_only');
    expect(said).toEqual([expect.objectContaining({ level: LEVEL.warn, code: 'DATA_OFF', peer: `${servers[1]?.url ?? ''}/api/sync` })]);
    expect(said[0]?.msg).toMatch(/syncs files only: it runs without a database.*Its files sync with this server's all the same; to sync data with it too, give that server the same database and tables as this one/);
    expect(logD.events('sync.round')).toHaveLength(2);
  });

  it("a file failure of D's round with F is the round's error, not DATA_OFF", async () => {
    rmSync(folders.F, { recursive: true });
    const [result] = await nodes.D.syncNow();
    expect(result).toMatchObject({ ok: false, error: { code: 'ROOT_MISSING' } });
  });
});

/**
 * A peer of an older version answers no `GET /files/info` (404): it keeps no identity for its file
 * sync, sends no settlement and records none from a server without data. A round with it is the
 * round it was before: a files-only server syncs files with it keyed by its host and tells it
 * nothing; a data server leaves its files to its own rounds (their bases would part).
 */
describe('a peer of an older version (no GET /files/info)', () => {
  let temp: ReturnType<typeof tempDir>;
  let older: TestServer;
  let olderFolder: string;
  let settledPosts: number;
  let data: TempDb | undefined;
  let node: SyncNode | undefined;
  beforeEach(async () => {
    temp = tempDir('ess-older-files-peer-');
    olderFolder = path.join(temp.dir, 'older');
    mkdirSync(olderFolder);
    settledPosts = 0;
    const app = express();
    const asOlder: RequestHandler = (req, res, next) => {
      if (req.method === 'POST' && req.path === '/files/settled') settledPosts += 1;
      if (req.method === 'GET' && req.path === '/files/info') {
        res.status(404).json({ error: { code: 'NOT_FOUND', message: 'no sync endpoint GET /files/info' } });
        return;
      }
      next();
    };
    app.use('/api/sync', asOlder, createSyncRouter({ token: TEST_TOKEN, logger: silentLogger, roots: { config: olderFolder } }));
    older = await startServer(app);
  });
  afterEach(async () => {
    await node?.stop();
    node = undefined;
    data?.cleanup();
    data = undefined;
    await older.close();
    temp.cleanup();
  });

  it('a files-only server syncs files with it both ways, deletions too, and tells it nothing', async () => {
    const here = path.join(temp.dir, 'here');
    mkdirSync(here);
    writeFour(here);
    writeFileSync(path.join(olderFolder, 'old.json'), '{"old":1}');
    node = createSyncNode({ token: TEST_TOKEN, logger: silentLogger, roots: { config: here }, peers: [`${older.url}/api/sync`], stateDir: path.join(temp.dir, 'state') });
    const [first] = await node.syncNow();
    expect(first).toMatchObject({ ok: true, filesUp: 4, filesDown: 1 });
    rmSync(path.join(olderFolder, 'z.json'));
    const [second] = await node.syncNow();
    expect(second).toMatchObject({ ok: true, filesDeleted: 1 });
    const kept = ['a.json', 'b.json', 'c.json', 'old.json'];
    expect([readdirSync(here).sort(), readdirSync(olderFolder).sort()]).toEqual([kept, kept]);
    expect(settledPosts).toBe(0);
    const bases = readdirSync(path.join(temp.dir, 'state')).filter((file) => /^files-[0-9a-f]{16}\.json$/.test(file));
    expect(bases.map((file) => (JSON.parse(readFileSync(path.join(temp.dir, 'state', file), 'utf8')) as { site: string }).site)).toEqual([new URL(older.url).host]);
  });

  it('a data server moves no file with it, and names the fix', async () => {
    const here = path.join(temp.dir, 'here');
    mkdirSync(here);
    writeFileSync(path.join(here, 'here.json'), '{"here":1}');
    writeFileSync(path.join(olderFolder, 'old.json'), '{"old":1}');
    data = tempDb(TEST_SCHEMA);
    node = createSyncNode({ token: TEST_TOKEN, logger: silentLogger, database: data.db, tables: TABLES, roots: { config: here }, peers: [`${older.url}/api/sync`], stateDir: path.join(temp.dir, 'state') });
    const [result] = await node.syncNow();
    expect(result).toMatchObject({ ok: false, error: { code: 'DATA_OFF' }, filesUp: 0, filesDown: 0 });
    expect(result?.error?.message).toMatch(/of an older version, which keeps no identity for its file sync, so this server's rounds move no file with it; to sync files with it, list this server among its peers instead/);
    expect([readdirSync(here), readdirSync(olderFolder)]).toEqual([['here.json'], ['old.json']]);
  });
});
