import request from 'supertest';
import { dbDigest, trackedDb } from '../helpers/data';
import { makeApp, startServer, TEST_TOKEN, type TestServer } from '../helpers/server';

const auth = { Authorization: `Bearer ${TEST_TOKEN}` };
const SYNC = '/api/sync';

/**
 * A sweep of the data routes with hostile bodies and paths: each is a 4xx
 * JSON error `{ error: { code, message } }`, never a 500 or a stack trace,
 * and nothing is written.
 */
describe('data routes: hostile bodies and paths', () => {
  let server: TestServer;
  let source: ReturnType<typeof trackedDb>;
  let page: Record<string, unknown>;
  beforeAll(async () => {
    source = trackedDb();
    const other = trackedDb();
    other.db.exec("INSERT INTO teams VALUES ('t1', 'Robots', 254, 1.0, NULL)");
    page = other.tracker.readChanges(0, 10) as unknown as Record<string, unknown>;
    other.cleanup();
    server = await startServer(makeApp({ database: source.db, tables: ['teams', 'reports'], maxChangesetBytes: 256 * 1024 }));
  });
  afterAll(async () => {
    await server.close();
    source.cleanup();
  });

  const deep = (levels: number): string => '['.repeat(levels) + ']'.repeat(levels);

  it.each([
    ['null', 'null'],
    ['an array', '[]'],
    ['a string', '"x"'],
    ['a number', '1e400'],
    ['deeply nested arrays', deep(50_000)],
    ['deeply nested objects', '{"a":'.repeat(20_000) + '1' + '}'.repeat(20_000)],
    ['a __proto__ key', '{"__proto__":{"site":"x"}}'],
  ])('POST /data/changes with %s', async (_what, body) => {
    const before = dbDigest(source.db);
    const answer = await request(server.url).post(`${SYNC}/data/changes`).set(auth).set('Content-Type', 'application/json').send(body);
    expect(answer.status).toBeGreaterThanOrEqual(400);
    expect(answer.status).toBeLessThan(500);
    expect(answer.body.error).toEqual({ code: expect.any(String), message: expect.any(String) });
    expect(dbDigest(source.db)).toEqual(before);
  });

  it.each([
    ['protocol ""', { protocol: '' }],
    ['protocol "2"', { protocol: '2' }],
    ['protocol 2.5', { protocol: 2.5 }],
    ['protocol -1', { protocol: -1 }],
    ['protocol 1e300', { protocol: 1e300 }],
    ['protocol as an array', { protocol: [1] }],
    ['since -1', { since: -1 }],
    ['since beyond 2^53', { since: 2 ** 60 }],
    ['next as a string', { next: '5' }],
    ['site in capitals', { site: 'AB'.repeat(16) }],
    ['site empty', { site: '' }],
    ['more as a string', { more: 'yes' }],
    ['mark too long', { mark: 'a'.repeat(1000) }],
    ['an extra field', { extra: 1 }],
  ])('POST /data/changes with a page whose %s', async (_what, change) => {
    const before = dbDigest(source.db);
    const answer = await request(server.url).post(`${SYNC}/data/changes`).set(auth).send({ ...page, ...change });
    expect(answer.status).toBeGreaterThanOrEqual(400);
    expect(answer.status).toBeLessThan(500);
    expect(answer.body.error).toEqual({ code: expect.any(String), message: expect.any(String) });
    expect(dbDigest(source.db)).toEqual(before);
  });

  it.each([
    ['%00', 404],
    ['0123456789ABCDEF', 404],
    ['x'.repeat(5000), 404],
    ['%E2%82%AC', 404],
    ['%FF', 400], // not UTF-8 once decoded: Express refuses the path (BAD_REQUEST)
  ])('POST /data/conflicts/%s/resolve', async (id, status) => {
    const answer = await request(server.url).post(`${SYNC}/data/conflicts/${id}/resolve`).set(auth).send({ action: 'discard' });
    expect({ status: answer.status, code: typeof answer.body.error?.code }).toEqual({ status, code: 'string' });
  });

  it.each([
    ['null', 'null'],
    ['an array', '[]'],
    ['another action', '{"action":"drop"}'],
    ['values as an array', '{"action":"restore","values":[]}'],
    ['deeply nested values', '{"action":"restore","values":' + '{"a":'.repeat(10_000) + '1' + '}'.repeat(10_001)],
  ])('POST /data/conflicts/<id>/resolve with %s', async (_what, body) => {
    const answer = await request(server.url).post(`${SYNC}/data/conflicts/0123456789abcdef/resolve`).set(auth).set('Content-Type', 'application/json').send(body);
    expect(answer.status).toBeGreaterThanOrEqual(400);
    expect(answer.status).toBeLessThan(500);
    expect(answer.body.error).toEqual({ code: expect.any(String), message: expect.any(String) });
  });
});
