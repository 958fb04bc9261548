import request from 'supertest';
import { makeRoots, put, tempFilesUnder, treeDigest } from '../helpers/file-roots';
import { makeApp, TEST_TOKEN } from '../helpers/server';
import { tempDir } from '../helpers/temp';

const AUTH = { Authorization: `Bearer ${TEST_TOKEN}` };

/**
 * A database name with an NTFS stream suffix (`app.db::$DATA` is the file
 * `app.db` itself on Windows; `app.db:x` a stream of it) in a route's `path`
 * was 400 BAD_PATH (the colon is a character paths may not hold), while the
 * same name as an upload's file name was 403 DB_FILE_REFUSED, and a 400 is
 * not logged as a database refusal. Every route now refuses it as the
 * database name it is; an ordinary name with a colon stays 400 BAD_PATH.
 */
describe('database names with an NTFS stream suffix in a path', () => {
  let temp: ReturnType<typeof tempDir>;
  let roots: Record<string, string>;
  beforeEach(() => {
    temp = tempDir('ess-p0-stream-');
    roots = makeRoots(temp.dir);
  });
  afterEach(() => temp.cleanup());

  const NAMES = ['app.db::$DATA', 'APP.DB::$DATA', 'app.db:x', 'notes.sqlite-wal::$DATA', 'app.db.::$DATA'];

  it.each(NAMES)('%s: upload, download, delete and checksums answer 403 DB_FILE_REFUSED, nothing written', async (name) => {
    const app = makeApp({ roots });
    const before = treeDigest(temp.dir);
    const encoded = encodeURIComponent(`uploads/${name}`);
    const upload = await request(app).post(`/api/sync/files/upload?path=${encoded}`).set(AUTH).attach('file', Buffer.from('plain text'), 'a.txt');
    const download = await request(app).get(`/api/sync/files/download?path=${encoded}`).set(AUTH);
    const removal = await request(app).delete(`/api/sync/files?path=${encoded}`).set(AUTH);
    const listing = await request(app).get(`/api/sync/files/checksums?path=${encoded}`).set(AUTH);
    for (const res of [upload, download, removal, listing]) expect([res.status, res.body.error?.code]).toEqual([403, 'DB_FILE_REFUSED']);
    expect(treeDigest(temp.dir)).toBe(before);
    expect(tempFilesUnder(temp.dir)).toEqual([]);
  });

  it('a folder so named on the way is refused too', async () => {
    const res = await request(makeApp({ roots })).post(`/api/sync/files/upload?path=${encodeURIComponent('uploads/app.db::$DATA/x.txt')}`).set(AUTH).attach('file', Buffer.from('x'), 'x.txt');
    expect([res.status, res.body.error?.code]).toEqual([403, 'DB_FILE_REFUSED']);
  });

  it('an ordinary name with a colon stays 400 BAD_PATH, and an ordinary file is untouched', async () => {
    put(roots.uploads ?? '', 'notes.txt', 'kept');
    const app = makeApp({ roots });
    for (const name of ['notes.txt::$DATA', 'a:b.txt']) {
      const res = await request(app).get(`/api/sync/files/download?path=${encodeURIComponent(`uploads/${name}`)}`).set(AUTH);
      expect([res.status, res.body.error?.code]).toEqual([400, 'BAD_PATH']);
    }
  });
});
