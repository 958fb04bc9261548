import path from 'node:path';
import Database from 'better-sqlite3';
import request from 'supertest';
import { makeRoots, put, treeDigest } from '../helpers/file-roots';
import { makeApp, startServer, TEST_TOKEN, type TestServer } from '../helpers/server';
import { tempDir } from '../helpers/temp';

const AUTH = { Authorization: `Bearer ${TEST_TOKEN}` };

/**
 * A folder made by hand under the name of a side file of a database found by
 * its content (`uploads/store-journal/` beside a database `uploads/store`) is
 * never entered nor listed by the manifest of its root, and an upload into it
 * is 403 DB_CONTENT_REFUSED (API.md). Asked for directly, the other file
 * routes must not enter it either: its checksums, a file's download and a
 * file's deletion are 403 DB_CONTENT_REFUSED, as an upload is, and as
 * `uploads/app.db-journal/x.txt` (by name) is on every route.
 */
describe('the file routes and a folder under a side-file name of a database found by its content', () => {
  let temp: ReturnType<typeof tempDir>;
  let roots: Record<string, string>;
  let server: TestServer;

  beforeEach(async () => {
    temp = tempDir('ess-h1-side-folder-');
    roots = makeRoots(path.join(temp.dir, 'data'));
    const db = new Database(path.join(roots.uploads ?? '', 'store'));
    db.exec('CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)');
    db.close();
    put(roots.uploads ?? '', 'store-journal/keep.txt', 'made by hand');
    put(roots.uploads ?? '', 'store-wal/deeper/keep.txt', 'made by hand');
    put(roots.uploads ?? '', 'notes.txt', 'a note');
    server = await startServer(makeApp({ roots }));
  });
  afterEach(async () => {
    await server.close();
    temp.cleanup();
  });

  function code(answer: request.Response): [number, string | undefined] {
    return [answer.status, (answer.body as { error?: { code?: string } }).error?.code];
  }

  it.each(['uploads/store-journal', 'uploads/store-wal', 'uploads/store-wal/deeper'])('GET /files/checksums?path=%s: 403 DB_CONTENT_REFUSED', async (folder) => {
    const answer = await request(server.url).get(`/api/sync/files/checksums?path=${encodeURIComponent(folder)}`).set(AUTH);
    expect(code(answer)).toEqual([403, 'DB_CONTENT_REFUSED']);
  });

  it.each(['uploads/store-journal/keep.txt', 'uploads/store-wal/deeper/keep.txt'])('GET and HEAD /files/download?path=%s: 403 DB_CONTENT_REFUSED', async (file) => {
    const answer = await request(server.url).get(`/api/sync/files/download?path=${encodeURIComponent(file)}`).set(AUTH);
    expect(code(answer)).toEqual([403, 'DB_CONTENT_REFUSED']);
    expect(answer.text).not.toContain('made by hand');
    const head = await request(server.url).head(`/api/sync/files/download?path=${encodeURIComponent(file)}`).set(AUTH);
    expect(head.status).toBe(403);
  });

  it.each(['uploads/store-journal/keep.txt', 'uploads/store-wal/deeper/keep.txt'])('DELETE /files?path=%s: 403 DB_CONTENT_REFUSED, nothing deleted', async (file) => {
    const before = treeDigest(path.join(temp.dir, 'data'));
    const answer = await request(server.url).delete(`/api/sync/files?path=${encodeURIComponent(file)}`).set(AUTH);
    expect(code(answer)).toEqual([403, 'DB_CONTENT_REFUSED']);
    expect(treeDigest(path.join(temp.dir, 'data'))).toBe(before);
  });

  it("the root's other files are still served, listed and deleted", async () => {
    const listed = await request(server.url).get('/api/sync/files/checksums?path=uploads').set(AUTH).expect(200);
    expect((listed.body as { files: { path: string }[] }).files.map((file) => file.path)).toEqual(['notes.txt']);
    await request(server.url).get('/api/sync/files/download?path=uploads/notes.txt').set(AUTH).expect(200);
    await request(server.url).delete('/api/sync/files?path=uploads/notes.txt').set(AUTH).expect(200);
  });
});
