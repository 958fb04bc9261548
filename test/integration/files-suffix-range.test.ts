import path from 'node:path';
import request from 'supertest';
import { makeRoots, put } from '../helpers/file-roots';
import { makeApp, startServer, TEST_TOKEN, type TestServer } from '../helpers/server';
import { tempDir } from '../helpers/temp';

const AUTH = { Authorization: `Bearer ${TEST_TOKEN}` };

/** `GET /files/download` with a `Range` of a 5-byte file, as RFC 9110 14.1 reads it. */
describe('download ranges, suffix ranges included', () => {
  let temp: ReturnType<typeof tempDir>;
  let server: TestServer;

  beforeEach(async () => {
    temp = tempDir();
    const roots = makeRoots(path.join(temp.dir, 'data'));
    put(roots.uploads ?? '', 'a.txt', 'hello');
    server = await startServer(makeApp({ roots }));
  });

  afterEach(async () => {
    await server.close();
    temp.cleanup();
  });

  const get = (range: string): Promise<request.Response> => request(server.url).get('/api/sync/files/download?path=uploads/a.txt').set(AUTH).set('Range', range);

  it('bytes=-100 is the whole file as 206 bytes 0-4/5 (a suffix longer than the file, RFC 9110 14.1.3)', async () => {
    const whole = await get('bytes=-100');
    expect([whole.status, whole.headers['content-range'], whole.body]).toEqual([206, 'bytes 0-4/5', Buffer.from('hello')]);
    const exact = await get('bytes=-5');
    expect([exact.status, exact.headers['content-range']]).toEqual([206, 'bytes 0-4/5']);
  });

  it('the other forms keep their meaning', async () => {
    const tail = await get('bytes=-2');
    expect([tail.status, tail.headers['content-range'], tail.body]).toEqual([206, 'bytes 3-4/5', Buffer.from('lo')]);
    const open = await get('bytes=1-');
    expect([open.status, open.headers['content-range'], open.body]).toEqual([206, 'bytes 1-4/5', Buffer.from('ello')]);
    const clamped = await get('bytes=2-99');
    expect([clamped.status, clamped.headers['content-range']]).toEqual([206, 'bytes 2-4/5']);
    const combined = await get('bytes=0-1, 2-3');
    expect([combined.status, combined.headers['content-range']]).toEqual([206, 'bytes 0-3/5']);
    const two = await get('bytes=0-0,3-4');
    expect([two.status, two.body]).toEqual([200, Buffer.from('hello')]); // several ranges: the whole file
    const zero = await get('bytes=-0');
    expect([zero.status, zero.headers['content-range']]).toEqual([416, 'bytes */5']);
    expect((await get('bytes=5-')).status).toBe(416);
    expect((await get('bytes=x-1')).status).toBe(200); // malformed: ignored
    expect((await get('items=0-1')).status).toBe(200); // not bytes: ignored
  });
});
