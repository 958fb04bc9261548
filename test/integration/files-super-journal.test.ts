import path from 'node:path';
import request from 'supertest';
import { makeRoots, put, SQLITE_BYTES } from '../helpers/file-roots';
import { multipart } from '../helpers/multipart';
import { makeApp, startServer, TEST_TOKEN, type TestServer } from '../helpers/server';
import { tempDir } from '../helpers/temp';

const AUTH = { Authorization: `Bearer ${TEST_TOKEN}` };

/**
 * SQLite's super-journal, `<database>-mj` + six hex digits + `9` + two hex
 * digits, is a database side file like `-journal`: written beside the main
 * database while a transaction over attached databases commits (rollback
 * journal mode), and kept by a crash for the recovery, which the child
 * journals name. It was listed, served, replaced and deleted like any file.
 */
describe('a super-journal (-mjXXXXXX9XX) is a database side file', () => {
  let temp: ReturnType<typeof tempDir>;
  let roots: Record<string, string>;
  let server: TestServer;

  beforeEach(async () => {
    temp = tempDir();
    roots = makeRoots(path.join(temp.dir, 'data'));
    put(roots.instance ?? '', 'app.db-mj1A2B3C9D4', 'instance/other.db\0');
    put(roots.instance ?? '', 'store', SQLITE_BYTES); // a database without a database name
    put(roots.instance ?? '', 'store-mj00FF009AB', 'instance/store\0');
    put(roots.instance ?? '', 'notes-mj1A2B3C9D4', 'no database beside it');
    put(roots.instance ?? '', 'app.db-mj12', 'not the shape of one');
    server = await startServer(makeApp({ roots }));
  });

  afterEach(async () => {
    await server.close();
    temp.cleanup();
  });

  it('is left out of the manifest, by name or beside a database found by its content', async () => {
    const manifest = await request(server.url).get('/api/sync/files/checksums?path=instance').set(AUTH);
    expect(manifest.body.files.map((file: { path: string }) => file.path).sort()).toEqual(['app.db-mj12', 'notes-mj1A2B3C9D4']);
  });

  it.each([
    ['instance/app.db-mj1A2B3C9D4', 403, 'DB_FILE_REFUSED'],
    ['instance/APP.DB-MJ1A2B3C9D4', 403, 'DB_FILE_REFUSED'],
    ['instance/store-mj00FF009AB', 403, 'DB_CONTENT_REFUSED'],
  ])('%s: download, upload and delete are refused', async (clientPath, status, code) => {
    const download = await request(server.url).get(`/api/sync/files/download?path=${clientPath}`).set(AUTH);
    const { body, contentType } = multipart([{ name: 'file', filename: 'x.txt', content: 'replacement' }]);
    const upload = await request(server.url).post(`/api/sync/files/upload?path=${clientPath}`).set(AUTH).set('Content-Type', contentType).send(body);
    const removal = await request(server.url).delete(`/api/sync/files?path=${clientPath}`).set(AUTH);
    for (const answer of [download, upload, removal]) expect({ status: answer.status, code: answer.body.error?.code }).toEqual({ status, code });
  });
});
