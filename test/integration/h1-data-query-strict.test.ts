import request from 'supertest';
import { dbDigest, trackedDb } from '../helpers/data';
import { makeApp, startServer, TEST_TOKEN, type TestServer } from '../helpers/server';

const auth = { Authorization: `Bearer ${TEST_TOKEN}` };
const SYNC = '/api/sync';

/**
 * The query of the data routes, as a careless operator and a hostile client
 * write it. Before: `?protocol=` (empty) was read as protocol 1 and
 * `?since=` as 0, and a misspelt name (`?sinc=5`) was passed over: the page
 * came from 0. Now each is 400 `BAD_QUERY` naming the parameter, and every
 * parameter this project's clients send (any version) is still taken.
 */
describe('data routes: the query, strictly', () => {
  let server: TestServer;
  let source: ReturnType<typeof trackedDb>;
  beforeAll(async () => {
    source = trackedDb();
    source.db.exec("INSERT INTO teams VALUES ('t1', 'Robots', 254, 1.0, NULL), ('t2', 'Gears', 1114, NULL, x'01')");
    server = await startServer(makeApp({ database: source.db, tables: ['teams', 'reports'] }));
  });
  afterAll(async () => {
    await server.close();
    source.cleanup();
  });

  const get = (url: string) => request(server.url).get(`${SYNC}${url}`).set(auth);

  it.each(['protocol=', 'since=', 'limit=', 'since=5&protocol=', 'protocol=&protocol=2'])('GET /data/changes?%s (an empty or repeated value) is 400 BAD_QUERY', async (query) => {
    const answer = await get(`/data/changes?${query}`);
    expect({ status: answer.status, code: answer.body.error?.code }).toEqual({ status: 400, code: 'BAD_QUERY' });
  });

  it('an integer written with leading zeros is that integer, however many (docs/API.md: decimal ASCII digits within its range)', async () => {
    const plain = await get('/data/changes?since=0&limit=1');
    const padded = await get(`/data/changes?since=${'0'.repeat(20)}&limit=${'0'.repeat(20)}1`);
    expect(padded.status).toBe(200);
    expect(padded.body).toEqual(plain.body);
    const over = await get(`/data/changes?since=0&limit=${'0'.repeat(5)}${'9'.repeat(17)}`);
    expect({ status: over.status, code: over.body.error?.code }).toEqual({ status: 400, code: 'BAD_QUERY' });
  });

  it('GET /data/info?seen_seq= (empty) is 400 BAD_QUERY', async () => {
    const answer = await get(`/data/info?seen_site=${'0'.repeat(32)}&seen_seq=`);
    expect({ status: answer.status, code: answer.body.error?.code }).toEqual({ status: 400, code: 'BAD_QUERY' });
  });

  it.each([
    ['GET', '/data/changes?sinc=5', 'sinc'],
    ['GET', '/data/changes?since=0&Limit=1', 'Limit'],
    ['GET', '/data/changes?exclude-site=00', 'exclude-site'],
    ['GET', '/data/conflicts?aftr=00', 'aftr'],
    ['GET', '/data/snapshot?since=5', 'since'],
    ['POST', '/data/changes?protocol=2', 'protocol'],
    ['POST', '/data/conflicts/0123456789abcdef/resolve?action=discard', 'action'],
  ])('%s %s (a name the route does not take) is 400 BAD_QUERY naming it', async (method, url, name) => {
    const before = dbDigest(source.db);
    const answer = method === 'GET' ? await get(url) : await request(server.url).post(`${SYNC}${url}`).set(auth).send({ action: 'discard' });
    expect({ status: answer.status, code: answer.body.error?.code }).toEqual({ status: 400, code: 'BAD_QUERY' });
    expect(answer.body.error.message).toContain(JSON.stringify(name));
    expect(dbDigest(source.db)).toEqual(before);
  });

  it('every parameter our clients send, in any version, is still taken', async () => {
    const site = 'ab'.repeat(16);
    const changes = await get(`/data/changes?since=0&limit=10&exclude_site=${site}&protocol=2`);
    expect(changes.status).toBe(200);
    expect(changes.body.protocol).toBe(2);
    const older = await get(`/data/changes?since=0&limit=10&exclude_site=${site}`); // protocol 1 clients
    expect({ status: older.status, protocol: older.body.protocol }).toEqual({ status: 200, protocol: 1 });
    const info = await get(`/data/info?site=${site}&seen_site=${site}&seen_seq=3&seen_mark=${'0'.repeat(16)}`);
    expect(info.status).toBe(200);
    expect((await get('/data/conflicts?limit=100&after=0123')).status).toBe(200); // the status page's
  });

  it('GET /data/info passes over a name it does not take: a newer client asks it before it knows our version', async () => {
    const info = await get(`/data/info?site=${'ab'.repeat(16)}&newer_handshake_option=1`);
    expect(info.status).toBe(200);
    expect(info.body.site).toBe(source.tracker.siteId);
  });

  it.each([
    'since=1&since=2',
    'since[]=1',
    'since[0]=1',
    'limit[x]=1',
    'since=99999999999999999999',
    'since=9007199254740992',
    'limit=-1',
    'limit=0',
    'limit=1e3',
    'limit=0x10',
    'limit=%EF%BC%95', // a fullwidth 5
    'since=%D9%A5', // an Arabic-Indic 5
    'since=+5',
    'since=5%00',
    'since=%FF',
    'protocol=0',
    'protocol=-1',
    'protocol=2.0',
    'protocol=99999999999999999',
    'exclude_site=' + 'AB'.repeat(16),
    'exclude_site[]=' + 'ab'.repeat(16),
    '__proto__=1',
    'constructor=1',
    '%73ince=1&since=2', // one name, two spellings
  ])('GET /data/changes?%s is a 4xx JSON error, never a 500', async (query) => {
    const answer = await get(`/data/changes?${query}`);
    expect(answer.status).toBe(400);
    expect(answer.body.error).toEqual({ code: 'BAD_QUERY', message: expect.any(String) });
  });

  it.each([
    '/data/conflicts?limit=1001',
    '/data/conflicts?limit=',
    '/data/conflicts?limit=1&limit=2',
    '/data/conflicts?after=XYZ',
    '/data/conflicts?after=' + '0'.repeat(17),
    '/data/info?site=' + 'ab'.repeat(16) + '&site=' + 'cd'.repeat(16),
    '/data/info?seen_seq=-5',
    '/data/info?seen_mark=xyz',
    '/data/info?seen_site[]=1',
  ])('GET %s is 400 BAD_QUERY', async (url) => {
    const answer = await get(url);
    expect({ status: answer.status, code: answer.body.error?.code }).toEqual({ status: 400, code: 'BAD_QUERY' });
  });
});
