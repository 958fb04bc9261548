import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import express, { type RequestHandler } from 'express';
import { silentLogger } from '../../lib/logger';
import { createSyncNode, type SyncNode } from '../../node/create-sync-node';
import { TEST_SCHEMA, tempDb, type TempDb } from '../helpers/data';
import { makeApp, startServer, TEST_TOKEN, type TestServer } from '../helpers/server';
import { TABLES } from '../helpers/snapshot';
import { tempDir } from '../helpers/temp';

const AUTH = { Authorization: `Bearer ${TEST_TOKEN}` };

/** `GET /files/info`: the id a server's file sync goes by, behind the token like every route. */
describe('GET /files/info', () => {
  let temp: ReturnType<typeof tempDir>;
  let server: TestServer | undefined;
  let node: SyncNode | undefined;
  let data: TempDb | undefined;
  beforeEach(() => {
    temp = tempDir('ess-files-info-');
    mkdirSync(path.join(temp.dir, 'files'));
  });
  afterEach(async () => {
    await node?.stop();
    await server?.close();
    data?.cleanup();
    [node, server, data] = [undefined, undefined, undefined];
    temp.cleanup();
  });

  async function serve(withData: boolean): Promise<string> {
    if (withData) data = tempDb(TEST_SCHEMA);
    const database = data === undefined ? {} : { database: data.db, tables: TABLES };
    node = createSyncNode({ token: TEST_TOKEN, logger: silentLogger, ...database, roots: { config: path.join(temp.dir, 'files') }, peers: ['http://127.0.0.1:9/api/sync'], stateDir: path.join(temp.dir, 'state') });
    const app = express();
    app.use('/api/sync', node.router);
    server = await startServer(app);
    return `${server.url}/api/sync/files/info`;
  }

  it('answers the identity a files-only server keeps in its stateDir, only with the token', async () => {
    const url = await serve(false);
    const kept = (JSON.parse(readFileSync(path.join(temp.dir, 'state', 'files-site.json'), 'utf8')) as { site: string }).site;
    const answer = await fetch(url, { headers: AUTH });
    expect(answer.status).toBe(200);
    const body = (await answer.json()) as { site: string; instance: string };
    expect(body).toEqual({ site: kept, instance: expect.stringMatching(/^[0-9a-f]{16}$/) as unknown });
    expect((await fetch(`${url}?anything=1`, { headers: AUTH }).then((res) => res.json())) as unknown).toEqual(body);
    expect((await fetch(url)).status).toBe(401);
    const posted = await fetch(url, { method: 'POST', headers: AUTH });
    expect(posted.status).toBe(405);
    expect(posted.headers.get('allow')).toMatch(/GET/);
  });

  it('answers the site id and instance of a server with data, as GET /data/info does', async () => {
    const url = await serve(true);
    const info = (await (await fetch(url.replace('/files/info', '/data/info'), { headers: AUTH })).json()) as { site: string; instance: string };
    expect(await (await fetch(url, { headers: AUTH })).json()).toEqual({ site: node?.tracker?.siteId, instance: info.instance });
    expect(info.site).toBe(node?.tracker?.siteId);
  });

  it('answers {} from a router with no peers (it runs no rounds, so keeps no identity)', async () => {
    server = await startServer(makeApp({ roots: { config: path.join(temp.dir, 'files') } }));
    expect(await (await fetch(`${server.url}/api/sync/files/info`, { headers: AUTH })).json()).toEqual({});
  });

  it('a files-only server that lists itself (or an undetected copy of its state folder) stops its file part with SAME_SITE_ID, nothing moved', async () => {
    const app = express();
    app.use('/api/sync', ((req, res, next) => node?.router(req, res, next)) satisfies RequestHandler);
    server = await startServer(app);
    writeFileSync(path.join(temp.dir, 'files', 'a.json'), '{"a":1}');
    node = createSyncNode({ token: TEST_TOKEN, logger: silentLogger, roots: { config: path.join(temp.dir, 'files') }, peers: [`${server.url}/api/sync`], stateDir: path.join(temp.dir, 'state') });
    const [result] = await node.syncNow();
    expect(result).toMatchObject({ ok: false, error: { code: 'SAME_SITE_ID', message: expect.stringMatching(/own file-sync identity [0-9a-f]{32}: it is this server itself/) as unknown }, filesUp: 0, filesDown: 0 });
    expect(readdirSync(path.join(temp.dir, 'files'))).toEqual(['a.json']);
    expect(readdirSync(path.join(temp.dir, 'state')).filter((file) => file.startsWith('files-') && file !== 'files-site.json')).toEqual([]);
  });
});
