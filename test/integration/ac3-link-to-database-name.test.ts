import { readdirSync, symlinkSync } from 'node:fs';
import path from 'node:path';
import request from 'supertest';
import { makeRoots, put, tempFilesUnder, treeDigest } from '../helpers/file-roots';
import { multipart } from '../helpers/multipart';
import { makeApp, startServer, TEST_TOKEN, type TestServer } from '../helpers/server';
import { tempDir } from '../helpers/temp';

// Found by helper ac3: a symbolic link inside a root, named innocently, to a file
// or folder named like a database (`alias.txt -> store.db`, `jdir -> app.db-journal`)
// passed every name rule, since only the path asked for was checked: the file
// behind it was listed and downloaded, and the folder listed, read and written
// into. A database SQLite's header does not give away (SQLCipher's is random
// bytes, an empty database has none) is refused by its name only. The name a
// link leads to is now checked as the path's own.
const AUTH = { Authorization: `Bearer ${TEST_TOKEN}` };
const ENCRYPTED = Buffer.from('8f3a1c9e5b7d2f40a6c8e1b3d5f7092c', 'hex'); // a SQLCipher file starts with its random salt

describe('a symbolic link inside a root to a database name', () => {
  let temp: ReturnType<typeof tempDir>;
  let server: TestServer;
  let uploads: string;

  beforeEach(async () => {
    temp = tempDir('ess-ac3-link-db-');
    const roots = makeRoots(path.join(temp.dir, 'data'));
    uploads = roots.uploads as string;
    put(uploads, 'store.db', ENCRYPTED);
    put(uploads, 'app.db-journal/k.txt', 'held in a folder no database may have beside it');
    put(uploads, 'plain.txt', 'a file');
    symlinkSync('store.db', path.join(uploads, 'alias.txt'));
    symlinkSync('app.db-journal/k.txt', path.join(uploads, 'inside.txt'));
    symlinkSync('app.db-journal', path.join(uploads, 'jdir'));
    symlinkSync('plain.txt', path.join(uploads, 'plain-link.txt'));
    server = await startServer(makeApp({ roots }));
  });
  afterEach(async () => {
    await server.close();
    temp.cleanup();
  });

  it('lists neither link, and names them as links left out', async () => {
    const answer = await request(server.url).get('/api/sync/files/checksums?path=uploads').set(AUTH);
    expect(answer.status).toBe(200);
    expect(answer.body.files.map((file: { path: string }) => file.path)).toEqual(['plain-link.txt', 'plain.txt']);
    expect(answer.body.leftOut).toEqual(expect.arrayContaining(['alias.txt', 'inside.txt', 'jdir']));
  });

  it.each([
    ['download uploads/alias.txt', 'get', '/files/download?path=uploads/alias.txt'],
    ['download uploads/inside.txt', 'get', '/files/download?path=uploads/inside.txt'],
    ['download uploads/jdir/k.txt', 'get', '/files/download?path=uploads/jdir/k.txt'],
    ['checksums of uploads/jdir', 'get', '/files/checksums?path=uploads/jdir'],
    ['delete uploads/alias.txt', 'delete', '/files?path=uploads/alias.txt'],
    ['delete uploads/jdir/k.txt', 'delete', '/files?path=uploads/jdir/k.txt'],
  ] as const)('%s: 403 DB_FILE_REFUSED, nothing changed', async (_name, method, route) => {
    const before = treeDigest(temp.dir);
    const answer = await request(server.url)[method](`/api/sync${route}`).set(AUTH);
    expect(answer.status).toBe(403);
    expect(answer.body.error.code).toBe('DB_FILE_REFUSED');
    expect(treeDigest(temp.dir)).toBe(before);
  });

  it.each(['uploads/alias.txt', 'uploads/jdir/new.txt'])('upload to %s: 403 DB_FILE_REFUSED, nothing written', async (target) => {
    const before = treeDigest(temp.dir);
    const { body, contentType } = multipart([{ name: 'file', filename: 'new.txt', content: 'new content' }]);
    const answer = await request(server.url).post(`/api/sync/files/upload?path=${target}`).set(AUTH).set('Content-Type', contentType).send(body);
    expect(answer.status).toBe(403);
    expect(answer.body.error.code).toBe('DB_FILE_REFUSED');
    expect(treeDigest(temp.dir)).toBe(before);
    expect(readdirSync(path.join(uploads, 'app.db-journal'))).toEqual(['k.txt']);
    expect(tempFilesUnder(temp.dir)).toEqual([]);
  });

  it('still serves a link to a file of another name', async () => {
    const answer = await request(server.url).get('/api/sync/files/download?path=uploads/plain-link.txt').set(AUTH).buffer(true);
    expect(answer.status).toBe(200);
    expect(Buffer.from(answer.body as Buffer).toString()).toBe('a file');
  });
});
