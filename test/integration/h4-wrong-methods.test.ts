import request from 'supertest';
import { tempDb, type TempDb } from '../helpers/data';
import { makeRoots } from '../helpers/file-roots';
import { makeApp, TEST_TOKEN } from '../helpers/server';
import { tempDir } from '../helpers/temp';

const AUTH = { Authorization: `Bearer ${TEST_TOKEN}` };

/**
 * A wrong method on a sync endpoint was 404 NOT_FOUND ("no sync endpoint PUT
 * /files/upload"), and OPTIONS was Express's default text answer ("POST").
 * Now a wrong method is 405 METHOD_NOT_ALLOWED with an `Allow` header and the
 * JSON error body, and OPTIONS is 204 with `Allow`; an unknown path stays
 * 404, and the token still comes first (401 without it).
 */
describe('wrong methods on sync routes: 405 with Allow; OPTIONS: 204 with Allow', () => {
  let temp: ReturnType<typeof tempDir>;
  let data: TempDb;
  let app: ReturnType<typeof makeApp>;
  beforeAll(() => {
    temp = tempDir('ess-h4-methods-');
    data = tempDb('CREATE TABLE teams (id TEXT PRIMARY KEY NOT NULL, name TEXT)');
    app = makeApp({ roots: makeRoots(temp.dir), database: data.db, tables: ['teams'] });
  });
  afterAll(() => {
    data.cleanup();
    temp.cleanup();
  });

  it.each([
    ['put', '/files/upload', 'POST'],
    ['get', '/files/upload', 'POST'],
    ['post', '/files/download?path=uploads/a.txt', 'GET, HEAD'],
    ['delete', '/files/checksums?path=uploads', 'GET, HEAD'],
    ['get', '/files?path=uploads/a.txt', 'DELETE'],
    ['get', '/files/settled', 'POST'],
    ['put', '/data/changes', 'GET, POST'], // no HEAD: it is refused there (404), see data-head.test.ts
    ['post', '/data/info', 'GET, HEAD'],
    ['get', '/data/conflicts/0123456789abcdef/resolve', 'POST'],
    ['delete', '/status', 'GET, HEAD'],
    ['get', '/run', 'POST'],
    ['patch', '/metrics', 'GET, HEAD'],
    ['get', '/deletions/confirm', 'POST'],
    ['post', '/ui', 'GET, HEAD'],
  ] as const)('%s %s: 405, Allow: %s, a JSON error', async (method, url, allow) => {
    const res = await request(app)[method](`/api/sync${url}`).set(AUTH);
    expect(res.status).toBe(405);
    expect(res.headers.allow).toBe(allow);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(res.body.error.code).toBe('METHOD_NOT_ALLOWED');
    expect(res.body.error.message).toContain(allow);
  });

  it.each([
    ['/files/upload', 'POST, OPTIONS'],
    ['/files/download', 'GET, HEAD, OPTIONS'],
    ['/data/changes', 'GET, POST, OPTIONS'],
    ['/status', 'GET, HEAD, OPTIONS'],
  ])('OPTIONS %s: 204, Allow: %s, no text body', async (url, allow) => {
    const res = await request(app).options(`/api/sync${url}`).set(AUTH);
    expect(res.status).toBe(204);
    expect(res.headers.allow).toBe(allow);
    expect(res.text).toBe('');
  });

  it('the right method still works', async () => {
    expect((await request(app).get('/api/sync/status').set(AUTH)).status).toBe(200);
    expect((await request(app).head('/api/sync/files/checksums?path=uploads').set(AUTH)).status).toBe(200);
  });

  it('an unknown path stays 404 JSON, with any method', async () => {
    for (const method of ['get', 'put', 'options'] as const) {
      const res = await request(app)[method]('/api/sync/files/nothing').set(AUTH);
      expect([res.status, res.body.error?.code]).toEqual([404, 'NOT_FOUND']);
    }
  });

  it('without the token: 401 first, as before (the methods of an endpoint are not told to a stranger)', async () => {
    for (const res of [await request(app).put('/api/sync/files/upload'), await request(app).options('/api/sync/files/upload')]) {
      expect([res.status, res.body.error?.code]).toEqual([401, 'UNAUTHORIZED']);
      expect(res.headers.allow).toBeUndefined();
    }
  });
});
