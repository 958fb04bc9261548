import request from 'supertest';
import { trackedDb } from '../helpers/data';
import { makeApp, startServer, TEST_TOKEN, type TestServer } from '../helpers/server';

// Express answers HEAD with a route's GET handler. On GET /data/changes that
// read a whole page and marked the asking peer as pulling (pausing pushes to
// it); on GET /data/snapshot it built a snapshot, all for headers. HEAD is not
// served on either: 404 NOT_FOUND, as any method the sync API has no route for.
describe('HEAD on the data routes that read pages or build snapshots', () => {
  let server: TestServer;
  let target: ReturnType<typeof trackedDb>;
  const auth = { Authorization: `Bearer ${TEST_TOKEN}` };

  beforeEach(async () => {
    target = trackedDb();
    target.db.exec("INSERT INTO teams VALUES ('t1', 'Robots', 254, 1.0, NULL)");
    server = await startServer(makeApp({ database: target.db, tables: ['teams', 'reports'] }));
  });
  afterEach(async () => {
    await server.close();
    target.cleanup();
  });

  it.each(['/api/sync/data/changes?since=0&exclude_site=' + '2'.repeat(32), '/api/sync/data/snapshot'])('HEAD %s is 404 NOT_FOUND (JSON)', async (url) => {
    const head = await request(server.url).head(url).set(auth);
    expect(head.status).toBe(404);
    expect(head.headers['content-type']).toMatch(/json/);
  });

  it('GET /data/changes still answers, and /data/info to HEAD as to GET', async () => {
    expect((await request(server.url).get('/api/sync/data/changes?since=0').set(auth)).status).toBe(200);
    expect((await request(server.url).head('/api/sync/data/info').set(auth)).status).toBe(200);
  });
});

describe('the Allow of the data routes that refuse HEAD (helpers n2 and n3: it offered HEAD, then answered it 404)', () => {
  let server: TestServer;
  let target: ReturnType<typeof trackedDb>;
  const auth = { Authorization: `Bearer ${TEST_TOKEN}` };

  beforeAll(async () => {
    target = trackedDb();
    server = await startServer(makeApp({ database: target.db, tables: ['teams', 'reports'] }));
  });
  afterAll(async () => {
    await server.close();
    target.cleanup();
  });

  it.each([
    ['/api/sync/data/changes', 'GET, POST'],
    ['/api/sync/data/snapshot', 'GET'],
    ['/api/sync/data/info', 'GET, HEAD'],
  ])('%s: OPTIONS and a wrong method name %s (HEAD only where it is served)', async (url, allow) => {
    const options = await request(server.url).options(url).set(auth);
    expect({ status: options.status, allow: options.headers.allow }).toEqual({ status: 204, allow: `${allow}, OPTIONS` });
    const put = await request(server.url).put(url).set(auth);
    expect({ status: put.status, allow: put.headers.allow, code: put.body.error?.code }).toEqual({ status: 405, allow, code: 'METHOD_NOT_ALLOWED' });
    expect(put.body.error.message).toContain(`it takes ${allow}`);
  });

  it('HEAD there is still 404 NOT_FOUND', async () => {
    expect((await request(server.url).head('/api/sync/data/snapshot').set(auth)).status).toBe(404);
  });
});
