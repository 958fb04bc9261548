import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import express from 'express';
import request from 'supertest';
import { createFilePolicy } from '../../lib/files/file-policy';
import type { LocalFiles } from '../../lib/files/local-files';
import { ManifestCache } from '../../lib/files/manifest-cache';
import { resolveSyncRoots } from '../../lib/files/sync-roots';
import { syncRoot } from '../../lib/peers/file-exchange';
import { FileSyncState } from '../../lib/peers/file-sync-state';
import { PeerHttp } from '../../lib/peers/peer-http';
import { makeRoots, put, treeDigest } from '../helpers/file-roots';
import { multipart } from '../helpers/multipart';
import { makeApp, startServer, TEST_TOKEN } from '../helpers/server';
import { tempDir } from '../helpers/temp';

const AUTH = { Authorization: `Bearer ${TEST_TOKEN}` };

/** Paths whose file name is harmless but a folder on the way is named like a database. */
const HOSTILE_PATHS = [
  'instance/app.db-journal/keep.txt',
  'instance/app.db-wal/x',
  'uploads/app.db/x.txt',
  'uploads/x.db-wal/y.txt',
  'uploads/x.lock/y.txt',
  'config/deep/er/store.sqlite/settings.json',
  'uploads/APP.DB-SHM/photo.jpg',
  'uploads/x.sqlite3-journal/a/b/c.txt',
  'uploads/scouting.db/readme.md',
] as const;

type Route = 'upload' | 'delete' | 'download' | 'checksums of the folder';

const ROUTES: readonly Route[] = ['upload', 'delete', 'download', 'checksums of the folder'];

/** Sends one request for `clientPath` through `route`. */
async function send(app: express.Express, route: Route, clientPath: string): Promise<request.Response> {
  const folder = clientPath.slice(0, clientPath.lastIndexOf('/'));
  switch (route) {
    case 'upload': {
      const { body, contentType } = multipart([{ name: 'file', filename: 'keep.txt', content: 'harmless text' }]);
      return request(app).post(`/api/sync/files/upload?path=${encodeURIComponent(clientPath)}`).set(AUTH).set('Content-Type', contentType).send(body);
    }
    case 'delete':
      return request(app).delete(`/api/sync/files?path=${encodeURIComponent(clientPath)}`).set(AUTH);
    case 'download':
      return request(app).get(`/api/sync/files/download?path=${encodeURIComponent(clientPath)}`).set(AUTH);
    case 'checksums of the folder':
      return request(app).get(`/api/sync/files/checksums?path=${encodeURIComponent(folder)}`).set(AUTH);
  }
}

describe('a folder named like a database, in every route', () => {
  let temp: ReturnType<typeof tempDir>;
  let roots: Record<string, string>;
  let app: express.Express;

  beforeEach(() => {
    temp = tempDir();
    roots = makeRoots(path.join(temp.dir, 'data'));
    put(roots.config ?? '', 'event.json', '{"name":"regional"}');
    app = makeApp({ roots, uploadRoot: 'uploads' });
  });
  afterEach(() => temp.cleanup());

  const cases = ROUTES.flatMap((route) => HOSTILE_PATHS.map((clientPath) => [route, clientPath] as const));

  it.each(cases)('%s of %s: 403 DB_FILE_REFUSED, nothing created or removed', async (route, clientPath) => {
    const [root = '', ...rest] = clientPath.split('/');
    const onDisk = path.join(roots[root] ?? '', ...rest);
    const byHand = route !== 'upload';
    // Delete, download and checksums meet a folder made by hand; an upload must not make one.
    if (byHand) put(path.dirname(onDisk), path.basename(onDisk), 'made by hand');
    const before = treeDigest(path.join(temp.dir, 'data'));
    const response = await send(app, route, clientPath);
    expect(response.status).toBe(403);
    expect(response.body).toMatchObject({ error: { code: 'DB_FILE_REFUSED' } });
    expect(treeDigest(path.join(temp.dir, 'data'))).toBe(before);
    if (!byHand) expect(existsSync(path.dirname(onDisk))).toBe(false);
  });

  it('the manifest never lists or enters such a folder, however deep', async () => {
    for (const clientPath of HOSTILE_PATHS) {
      const [root = '', ...rest] = clientPath.split('/');
      put(roots[root] ?? '', rest.join('/'), 'made by hand');
    }
    put(roots.uploads ?? '', 'fine/photo.jpg', 'a photo');
    const listed: string[] = [];
    for (const root of ['instance', 'config', 'uploads']) {
      const answer = await request(app).get(`/api/sync/files/checksums?path=${root}`).set(AUTH).expect(200);
      listed.push(...(answer.body as { files: Array<{ path: string }> }).files.map((file) => `${root}/${file.path}`));
    }
    expect(listed.sort()).toEqual(['config/event.json', 'uploads/fine/photo.jpg']);
  });
});

describe("a peer's listing with a folder named like a database", () => {
  let temp: ReturnType<typeof tempDir>;

  beforeEach(() => {
    temp = tempDir();
  });
  afterEach(() => temp.cleanup());

  it.each(HOSTILE_PATHS.map((clientPath) => [clientPath]))('%s is refused (PEER_LISTED_DATABASE), nothing written', async (clientPath) => {
    const [root = '', ...rest] = clientPath.split('/');
    const here = makeRoots(path.join(temp.dir, 'here'));
    const hostile = express();
    hostile.get('/api/sync/files/checksums', (_req, res) => {
      res.json({ root, path: '', files: [{ path: rest.join('/'), size: 4, mtimeMs: 0, sha256: 'a'.repeat(64) }] });
    });
    hostile.get('/api/sync/files/download', (_req, res) => {
      res.type('application/octet-stream').send('evil');
    });
    const fake = await startServer(hostile);
    const peer = new PeerHttp({ url: `${fake.url}/api/sync`, token: TEST_TOKEN });
    const files: LocalFiles = { roots: resolveSyncRoots(here), policy: createFilePolicy(), cache: new ManifestCache() };
    try {
      const before = treeDigest(path.join(temp.dir, 'here'));
      const state = await FileSyncState.load(path.join(temp.dir, 'state', 'files.json'));
      await expect(syncRoot(files, { peer, remoteSiteId: 'f00d', state, now: () => new Date() }, root)).rejects.toMatchObject({ code: 'PEER_LISTED_DATABASE', status: 502 });
      expect(treeDigest(path.join(temp.dir, 'here'))).toBe(before);
    } finally {
      files.cache.close();
      peer.close();
      await fake.close();
    }
  });

  it('a hand-made folder of that kind is not a reason to refuse anything else in the root', async () => {
    const roots = makeRoots(path.join(temp.dir, 'data'));
    mkdirSync(path.join(roots.instance ?? '', 'app.db-wal'), { recursive: true });
    put(roots.instance ?? '', 'settings.json', '{}');
    const app = makeApp({ roots });
    const answer = await request(app).get('/api/sync/files/checksums?path=instance').set(AUTH).expect(200);
    expect((answer.body as { files: Array<{ path: string }> }).files.map((file) => file.path)).toEqual(['settings.json']);
  });
});
