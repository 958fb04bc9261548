import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { captureLog } from '../helpers/log';
import { createSyncNode, type SyncNode } from '../../node/create-sync-node';
import { TEST_SCHEMA, tempDb, type TempDb } from '../helpers/data';
import { makeApp, startServer, TEST_TOKEN, type TestServer } from '../helpers/server';
import { cli, TABLES } from '../helpers/snapshot';
import { tempDir } from '../helpers/temp';

const AUTH = { Authorization: `Bearer ${TEST_TOKEN}` };
const WRONG_URL_HINT = /sync API\?/;

/**
 * A peer that syncs files only (started without a `database`) answered every data path 404
 * `NOT_FOUND`, as for a path that is not the sync API: a server that syncs data was told, round
 * after round, "Is <url> the peer's sync API? Its URL is usually …/api/sync", and `join --from`
 * "Is --from the server's sync API?", though the URL was right (its files sync there). The
 * operator checked the URL; the cause, a peer without a database, was never named.
 */
describe('a peer that syncs files only, met by a server that syncs data and by join', () => {
  let temp: ReturnType<typeof tempDir>;
  let peer: TestServer;
  let data: TempDb | undefined;
  let node: SyncNode | undefined;
  beforeEach(async () => {
    temp = tempDir('ess-af2-files-only-');
    const there = path.join(temp.dir, 'there');
    mkdirSync(there);
    peer = await startServer(makeApp({ roots: { config: there } }));
  });
  afterEach(async () => {
    await node?.stop();
    node = undefined;
    data?.cleanup();
    data = undefined;
    await peer.close();
    temp.cleanup();
  });

  it.each([
    ['GET', '/data/info'],
    ['GET', '/data/changes?since=0'],
    ['GET', '/data/snapshot'],
    ['GET', '/data/conflicts'],
    ['POST', '/data/changes'],
  ])('%s %s is 404 DATA_OFF saying the server syncs files only', async (method, route) => {
    const body = method === 'POST' ? JSON.stringify({ protocol: 1, changes: [] }) : undefined;
    const answer = await fetch(`${peer.url}/api/sync${route}`, { method, headers: { ...AUTH, 'Content-Type': 'application/json' }, ...(body === undefined ? {} : { body }) });
    expect(answer.status).toBe(404);
    const { error } = (await answer.json()) as { error: { code: string; message: string } };
    expect(error.code).toBe('DATA_OFF');
    expect(error.message).toMatch(/syncs files only: it runs without a database/);
    // The token still comes first, and the rest of the router is as before.
    expect((await fetch(`${peer.url}/api/sync${route}`, { method })).status).toBe(401);
    expect(((await (await fetch(`${peer.url}/api/sync/nothing`, { headers: AUTH })).json()) as { error: { code: string } }).error.code).toBe('NOT_FOUND');
  });

  it('a server that syncs data names the cause, not a wrong URL, once in its log, and syncs the files with it: a success', async () => {
    const here = path.join(temp.dir, 'here');
    mkdirSync(here);
    writeFileSync(path.join(temp.dir, 'there', 'from-there.json'), '{"there":1}');
    writeFileSync(path.join(here, 'from-here.json'), '{"here":1}');
    data = tempDb(TEST_SCHEMA);
    const log = captureLog();
    node = createSyncNode({ token: TEST_TOKEN, logger: log.logger, database: data.db, tables: TABLES, roots: { config: here }, peers: [`${peer.url}/api/sync`], stateDir: path.join(temp.dir, 'state') });
    const [result] = await node.syncNow();
    // A peer that syncs files only works as configured: its rounds are no failure (they were DATA_OFF, backing off).
    expect(result).toMatchObject({ ok: true, filesUp: 1, filesDown: 1 });
    expect(result?.error).toBeUndefined();
    const [said] = log.events('peer.files_only');
    expect(said?.msg).toMatch(/syncs files only/);
    // The peer runs no rounds of its own (a router without peers: GET /files/info names no site), so one base, this server's, is all there is.
    expect(said?.msg).toMatch(/Its files sync with this server's all the same; to sync data with it too, give that server the same database and tables as this one/);
    expect(said?.msg).not.toMatch(WRONG_URL_HINT);
    expect([readdirSync(here).sort(), readdirSync(path.join(temp.dir, 'there')).sort()]).toEqual([
      ['from-here.json', 'from-there.json'],
      ['from-here.json', 'from-there.json'],
    ]);
  });

  it('join --from it fails with exit code 1 naming the cause, and makes nothing', async () => {
    const folder = path.join(temp.dir, 'new');
    mkdirSync(folder);
    writeFileSync(path.join(folder, 'keep.txt'), 'kept');
    const joined = await cli('join', '--from', `${peer.url}/api/sync`, '--db', path.join(folder, 'app.db'), '--token', TEST_TOKEN);
    expect(joined.code).toBe(1);
    expect(joined.stderr).toMatch(/syncs files only: it runs without a database/);
    expect(joined.stderr).not.toMatch(WRONG_URL_HINT);
    const json = await cli('join', '--from', `${peer.url}/api/sync`, '--db', path.join(folder, 'app.db'), '--token', TEST_TOKEN, '--json');
    expect(json.code).toBe(1);
    expect((JSON.parse(json.stdout.trim()) as { error: { code: string } }).error.code).toBe('DATA_OFF');
    expect(readdirSync(folder)).toEqual(['keep.txt']);
  });
});
