import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, symlinkSync, utimesSync } from 'node:fs';
import path from 'node:path';
import request from 'supertest';
import { makeRoots, put, SQLITE_BYTES, tempFilesUnder, treeDigest, WAL_BYTES } from '../helpers/file-roots';
import { multipart, type Part } from '../helpers/multipart';
import { makeApp, startServer, TEST_TOKEN, type TestServer } from '../helpers/server';
import { tempDir } from '../helpers/temp';

// The fault hunt's hostile names and shapes not in files-hostile.test.ts: file
// names that try to leave the root (multer keeps the base name only, so they
// land in the root under it), look-alikes of "/" and ".." (plain characters
// there: no folder is made), database names in other cases, links inside a
// root to its database, an empty file, a file dated in the future, and many
// uploads racing for one new path. All answered as the contract says; none
// writes outside its root or leaves a temp file.
const AUTH = { Authorization: `Bearer ${TEST_TOKEN}` };
const sha256 = (bytes: string | Buffer): string => createHash('sha256').update(bytes).digest('hex');
const file = (filename: string, content: string | Buffer = 'new content'): Part => ({ name: 'file', filename, content });

describe('file endpoints under hostile names', () => {
  let temp: ReturnType<typeof tempDir>;
  let server: TestServer;
  let roots: Record<string, string>;
  let outside: string;

  beforeEach(async () => {
    temp = tempDir('ess-h6-names-');
    roots = makeRoots(path.join(temp.dir, 'data'));
    put(roots.instance as string, 'app.db', SQLITE_BYTES);
    put(roots.instance as string, 'app.db-wal', WAL_BYTES);
    outside = path.join(temp.dir, 'outside');
    put(outside, 'passwd', 'not yours');
    symlinkSync(path.join(roots.instance as string, 'app.db'), path.join(roots.instance as string, 'alias.txt'));
    symlinkSync(path.join(roots.instance as string, 'app.db'), path.join(roots.uploads as string, 'dblink.txt'));
    symlinkSync(path.join(outside, 'passwd'), path.join(roots.uploads as string, 'outlink.txt'));
    server = await startServer(makeApp({ roots }));
  });
  afterEach(async () => {
    await server.close();
    temp.cleanup();
  });

  async function uploadNamed(filename: string, query = '', content: string | Buffer = 'new content'): Promise<request.Response> {
    const { body, contentType } = multipart([file(filename, content)]);
    return request(server.url).post(`/api/sync/files/upload${query}`).set(AUTH).set('Content-Type', contentType).send(body);
  }

  it.each([
    ['../../etc/passwd', 'passwd'],
    ['/etc/passwd', 'passwd'],
    ['..\\..\\evil.txt', 'evil.txt'],
    ['sub\\name.txt', 'name.txt'],
    ['x\u2215y.txt', 'x\u2215y.txt'], // DIVISION SLASH
    ['x\uFF0Fy.txt', 'x\uFF0Fy.txt'], // FULLWIDTH SOLIDUS
    ['x\u2044y.txt', 'x\u2044y.txt'], // FRACTION SLASH
    ['\u2025', '\u2025'], // TWO DOT LEADER
    ['\uFF0E\uFF0E', '\uFF0E\uFF0E'], // FULLWIDTH FULL STOPs
  ])('stores an upload named %p as uploads/%s, in the root and nowhere else', async (filename, stored) => {
    const before = treeDigest(outside);
    const answer = await uploadNamed(filename);
    expect(answer.status).toBe(201);
    expect(answer.body).toMatchObject({ path: `uploads/${stored}`, size: 11 });
    expect(readFileSync(path.join(roots.uploads as string, stored), 'utf8')).toBe('new content');
    expect(readdirSync(roots.uploads as string).sort()).toEqual(['dblink.txt', 'outlink.txt', stored].sort());
    expect(treeDigest(outside)).toBe(before);
    expect(tempFilesUnder(temp.dir)).toEqual([]);
  });

  it.each([
    ['%2e%2e', 400, 'BAD_PATH'],
    ['%2e%2e%2fx.txt', 400, 'BAD_PATH'],
    ['APP.DB', 403, 'DB_FILE_REFUSED'],
    ['app.db-WAL', 403, 'DB_FILE_REFUSED'],
    ['App.Sqlite3-Journal', 403, 'DB_FILE_REFUSED'],
    ['x.DB-SHM', 403, 'DB_FILE_REFUSED'],
    ['', 400, 'NO_FILE'],
  ])('refuses an upload named %p: %d %s, nothing written', async (filename, status, code) => {
    const before = treeDigest(temp.dir);
    const answer = await uploadNamed(filename);
    expect(answer.status).toBe(status);
    expect(answer.body).toEqual({ error: { code, message: expect.any(String) } });
    expect(treeDigest(temp.dir)).toBe(before);
  });

  it.each([
    ['uploads/APP.DB', 403, 'DB_FILE_REFUSED'],
    ['uploads/app.db-WAL', 403, 'DB_FILE_REFUSED'],
    ['instance/APP.DB', 403, 'DB_FILE_REFUSED'],
    ['instance/alias.txt', 403, 'DB_CONTENT_REFUSED'], // a link in the root to its database
    ['uploads/dblink.txt', 400, 'BAD_PATH'], // a link to another root's database
    ['uploads/outlink.txt', 400, 'BAD_PATH'], // a link out of the root
  ])('answers %s with %d %s for an upload and the same for a download', async (clientPath, status, code) => {
    const before = treeDigest(outside);
    const uploaded = await uploadNamed('x.txt', `?path=${clientPath}`);
    expect(uploaded.status).toBe(status);
    const downloaded = await request(server.url).get(`/api/sync/files/download?path=${clientPath}`).set(AUTH);
    expect(uploaded.body).toEqual({ error: { code, message: expect.any(String) } });
    expect(downloaded.status).toBe(status);
    expect(downloaded.body).toEqual({ error: { code, message: expect.any(String) } });
    expect(readFileSync(path.join(roots.instance as string, 'app.db')).equals(SQLITE_BYTES)).toBe(true);
    expect(treeDigest(outside)).toBe(before);
    expect(tempFilesUnder(temp.dir)).toEqual([]);
  });

  it('takes fullwidth dots for a plain folder name', async () => {
    expect((await uploadNamed('x.txt', '?path=uploads/%EF%BC%8E%EF%BC%8E/x.txt')).status).toBe(201);
    expect(readFileSync(path.join(roots.uploads as string, '\uFF0E\uFF0E', 'x.txt'), 'utf8')).toBe('new content');
    expect((await request(server.url).get('/api/sync/files/download?path=uploads/%EF%BC%8E%EF%BC%8E/x.txt').set(AUTH)).status).toBe(200);
  });

  it('never lists a link to a database or out of the root', async () => {
    for (const root of ['instance', 'uploads']) {
      const listing = await request(server.url).get(`/api/sync/files/checksums?path=${root}`).set(AUTH);
      expect(listing.status).toBe(200);
      expect(listing.body.files).toEqual([]);
    }
  });

  it('stores, lists and serves an empty file', async () => {
    const answer = await uploadNamed('empty.txt', '?path=uploads/empty.txt', '');
    expect(answer.status).toBe(201);
    expect(answer.body).toMatchObject({ size: 0, sha256: sha256('') });
    const listing = await request(server.url).get('/api/sync/files/checksums?path=uploads').set(AUTH);
    expect(listing.body.files).toEqual([expect.objectContaining({ path: 'empty.txt', size: 0, sha256: sha256('') })]);
    const downloaded = await request(server.url).get('/api/sync/files/download?path=uploads/empty.txt').set(AUTH).set('Range', 'bytes=0-');
    expect(downloaded.status).toBe(200);
    expect(downloaded.headers['content-length']).toBe('0');
  });

  it('lists and serves a file dated in the future by its content, never trusting its date', async () => {
    const future = put(roots.uploads as string, 'future.txt', 'from the future');
    utimesSync(future, new Date('2100-01-01'), new Date('2100-01-01'));
    const listing = await request(server.url).get('/api/sync/files/checksums?path=uploads').set(AUTH);
    expect(listing.body.files).toEqual([expect.objectContaining({ path: 'future.txt', sha256: sha256('from the future') })]);
    const resumed = await request(server.url).get('/api/sync/files/download?path=uploads/future.txt').set(AUTH).set('Range', 'bytes=5-').set('If-Range', 'Fri, 01 Jan 2100 00:00:00 GMT');
    expect(resumed.status).toBe(200); // a date is never a validator: the whole file
    expect(resumed.headers['content-length']).toBe('15');
  });

  it('lets exactly one of many uploads racing for one new path with if_match=none win', async () => {
    const answers = await Promise.all(Array.from({ length: 20 }, (_, i) => uploadNamed('race.txt', '?path=uploads/race.txt&if_match=none', `version ${i}`)));
    const statuses = answers.map((answer) => answer.status).sort();
    expect(statuses).toEqual([201, ...Array.from({ length: 19 }, () => 412)]);
    const winner = answers.find((answer) => answer.status === 201);
    expect(sha256(readFileSync(path.join(roots.uploads as string, 'race.txt')))).toBe((winner?.body as { sha256: string }).sha256);
    for (const answer of answers.filter((each) => each.status === 412)) expect(answer.body).toEqual({ error: { code: 'PRECONDITION_FAILED', message: expect.any(String) } });
    expect(tempFilesUnder(temp.dir)).toEqual([]);
    expect(existsSync(path.join(roots.uploads as string, 'race.txt'))).toBe(true);
  });
});
