import { startSampleServer, scoutingCounts, type SampleServer } from '../helpers/sample-server';

/** Each path of the JSON API with the methods it takes, as docs/SAMPLE-APP.md lists them. */
const ROUTES: ReadonlyArray<readonly [string, readonly string[]]> = [
  ['/api/health', ['GET', 'HEAD']],
  ['/api/teams', ['GET', 'HEAD', 'POST']],
  ['/api/matches', ['GET', 'HEAD', 'POST']],
  ['/api/reports', ['GET', 'HEAD', 'POST']],
  ['/api/reports/some-id', ['PATCH', 'DELETE']],
  ['/api/events', ['POST']],
];
const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'];

/**
 * The sample app's JSON API answered a method a path does not take (`PUT /api/teams`,
 * `GET /api/events`) 404 `NOT_FOUND` "no API route PUT /teams", as for a mistyped path, and a
 * `PUT` with a text body 415 for its Content-Type: the sync router under the same app answers
 * 405 `METHOD_NOT_ALLOWED` with `Allow`. The API now does too, before the body is looked at,
 * and `OPTIONS` is 204 with `Allow` (Express answered it 200 with a text body).
 */
describe('sample app JSON API: methods a path does not take', () => {
  let app: SampleServer;
  beforeAll(async () => {
    app = await startSampleServer();
  });
  afterAll(async () => app.close());

  it.each(ROUTES)('%s: 405 with Allow for the other methods, 204 with Allow for OPTIONS', async (route, allowed) => {
    const before = scoutingCounts(app.db);
    for (const method of METHODS.filter((name) => !allowed.includes(name))) {
      const answer = await fetch(`${app.url}${route}`, { method, headers: { 'Content-Type': 'text/plain' }, body: method === 'GET' || method === 'HEAD' ? undefined : 'x' });
      expect([method, answer.status, answer.headers.get('allow')]).toEqual([method, 405, allowed.join(', ')]);
      if (method === 'HEAD') continue;
      expect(answer.headers.get('content-type')).toMatch(/^application\/json/);
      expect(await answer.json()).toEqual({ error: { code: 'METHOD_NOT_ALLOWED', message: `${method} is not a method of ${route}; it takes ${allowed.join(', ')}` } });
    }
    const options = await fetch(`${app.url}${route}`, { method: 'OPTIONS' });
    expect([options.status, options.headers.get('allow'), await options.text()]).toEqual([204, [...allowed, 'OPTIONS'].join(', '), '']);
    // The methods it takes are still answered by their routes (not 405).
    for (const method of allowed) expect((await fetch(`${app.url}${route}`, { method, headers: { 'Content-Type': 'application/json' }, body: method === 'GET' || method === 'HEAD' ? undefined : '{}' })).status).not.toBe(405);
    expect(scoutingCounts(app.db)).toEqual(before);
  });

  it('a path the API does not have is still 404 NOT_FOUND', async () => {
    const answer = await fetch(`${app.url}/api/nope`, { method: 'PUT' });
    expect(answer.status).toBe(404);
    expect(((await answer.json()) as { error: { code: string } }).error.code).toBe('NOT_FOUND');
  });
});
