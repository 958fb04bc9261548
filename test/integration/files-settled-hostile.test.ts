import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import request from 'supertest';
import { fileStateOf, MAX_SETTLED_PATHS } from '../../lib/peers/file-settled';
import { startPeers, type LivePeer } from '../helpers/peers';
import { TEST_TOKEN } from '../helpers/server';

const AUTH = { Authorization: `Bearer ${TEST_TOKEN}` };
const SHA_A = 'a'.repeat(64);

/** `POST /files/settled` to a live sample-app server that lists one peer and has synced with it. */
describe('POST /files/settled refuses what is not a peer’s settlement, and records one', () => {
  let cluster: Awaited<ReturnType<typeof startPeers>>;
  let d: LivePeer;
  let e: LivePeer;
  let eSite: string;
  let baseOfE: string;

  beforeAll(async () => {
    cluster = await startPeers(2, 'mesh');
    [d, e] = cluster.peers as [LivePeer, LivePeer];
    expect(await d.sync.client?.syncPeer(e.syncUrl)).toMatchObject({ ok: true }); // d learns e's site
    eSite = e.sync.tracker?.siteId ?? '';
    baseOfE = fileStateOf(path.join(d.dataDir, '.sync-state'), d.sync.client?.peers[0] ?? '');
    expect(existsSync(baseOfE)).toBe(true);
  });
  afterAll(async () => {
    await cluster.close();
  });

  const post = (body: unknown, headers: Record<string, string> = { ...AUTH, 'Content-Type': 'application/json' }, query = '') =>
    request(d.url)
      .post(`/api/sync/files/settled${query}`)
      .set(headers)
      .send(typeof body === 'string' ? body : JSON.stringify(body));
  const valid = (roots: unknown, site: string = eSite): unknown => ({ site, roots });
  const manyPaths = (count: number): Record<string, null> => Object.fromEntries(Array.from({ length: count }, (_, i) => [`f${i}.txt`, null]));

  it.each<[string, () => ReturnType<typeof post>, number, string]>([
    ['no token', () => post(valid({}), { 'Content-Type': 'application/json' }), 401, 'UNAUTHORIZED'],
    ['a wrong token', () => post(valid({}), { Authorization: 'Bearer nope', 'Content-Type': 'application/json' }), 401, 'UNAUTHORIZED'],
    ['a body that is not JSON', () => post('site=x', { ...AUTH, 'Content-Type': 'text/plain' }), 415, 'UNSUPPORTED_MEDIA_TYPE'],
    ['JSON that does not parse', () => post('{"site":', { ...AUTH, 'Content-Type': 'application/json' }), 400, 'MALFORMED_JSON'],
    ['a JSON array', () => post([]), 400, 'BAD_REQUEST'],
    ['a JSON string', () => post('"x"', { ...AUTH, 'Content-Type': 'application/json' }), 400, 'MALFORMED_JSON'],
    ['no site', () => post({ roots: {} }), 400, 'BAD_REQUEST'],
    ['a site that is not 32 hex', () => post(valid({}, 'E'.repeat(32))), 400, 'BAD_REQUEST'],
    ['an unknown key', () => post({ ...(valid({}) as object), extra: 1 }), 400, 'BAD_REQUEST'],
    ['roots that are not an object', () => post(valid([])), 400, 'BAD_REQUEST'],
    ['an uppercase sha256', () => post(valid({ uploads: { 'a.txt': SHA_A.toUpperCase() } })), 400, 'BAD_REQUEST'],
    ['a short sha256', () => post(valid({ uploads: { 'a.txt': 'abc' } })), 400, 'BAD_REQUEST'],
    ['a number for a sha256', () => post(valid({ uploads: { 'a.txt': 1 } })), 400, 'BAD_REQUEST'],
    ['an unknown root', () => post(valid({ nowhere: { 'a.txt': null } })), 404, 'UNKNOWN_ROOT'],
    ['a path with ..', () => post(valid({ uploads: { '../escape.txt': null } })), 400, 'BAD_PATH'],
    ['a percent-encoded ..', () => post(valid({ uploads: { '%2e%2e/escape.txt': null } })), 400, 'BAD_PATH'],
    ['an absolute path', () => post(valid({ uploads: { '/etc/passwd': null } })), 400, 'BAD_PATH'],
    ['an empty path', () => post(valid({ uploads: { '': null } })), 400, 'BAD_PATH'],
    ['a backslash', () => post(valid({ uploads: { 'a\\b.txt': null } })), 400, 'BAD_PATH'],
    ['a control character', () => post(valid({ uploads: { 'a\u0001.txt': null } })), 400, 'BAD_PATH'],
    ['a path over 1024 characters', () => post(valid({ uploads: { [`${'d/'.repeat(520)}x.txt`]: null } })), 400, 'BAD_PATH'],
    ['a database name', () => post(valid({ instance: { 'app.db': SHA_A } })), 403, 'DB_FILE_REFUSED'],
    ['too many paths in one root', () => post(valid({ uploads: manyPaths(MAX_SETTLED_PATHS + 1) })), 413, 'BODY_TOO_LARGE'],
    ['a path with a lone surrogate', () => post(valid({ uploads: { '\ud800.txt': null } })), 400, 'BAD_PATH'],
    ['too many paths over two roots', () => post(valid({ uploads: manyPaths(600), config: manyPaths(600) })), 413, 'BODY_TOO_LARGE'],
    ['a body over 1 MiB', () => post(valid({ uploads: { [`${'n'.repeat(200)}.txt`]: 'x'.repeat(1024 * 1024) } })), 413, 'BODY_TOO_LARGE'],
    ['query parameters', () => post(valid({}), undefined, '?site=x'), 400, 'BAD_REQUEST'],
  ])('refuses %s', async (_what, send, status, code) => {
    const before = readFileSync(baseOfE, 'utf8');
    const answer = await send();
    expect(answer.status).toBe(status);
    expect(answer.body).toMatchObject({ error: { code, message: expect.any(String) as string } });
    expect(readFileSync(baseOfE, 'utf8')).toBe(before);
  });

  it('ignores a site it does not sync with (a peer that does not list the sender)', async () => {
    const before = readFileSync(baseOfE, 'utf8');
    const answer = await post(valid({ uploads: { 'a.txt': SHA_A } }, 'f'.repeat(32)));
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({ peers: 0 });
    expect(readFileSync(baseOfE, 'utf8')).toBe(before);
  });

  it('records a peer’s settlements in the base it keeps for that peer', async () => {
    const answer = await post(valid({ uploads: { 'new.txt': SHA_A, 'gone.txt': null } }));
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({ peers: 1 });
    const stored = JSON.parse(readFileSync(baseOfE, 'utf8')) as { roots: Record<string, Record<string, string>> };
    expect(stored.roots.uploads?.['new.txt']).toBe(SHA_A);
    expect(stored.roots.uploads).not.toHaveProperty('gone.txt');
  });
});
