import request from 'supertest';
import { dbDigest, pullAll, trackedDb } from '../helpers/data';
import { makeApp, startServer, TEST_TOKEN, type TestServer } from '../helpers/server';
import { nextMillisecond } from '../helpers/clock';

const auth = { Authorization: `Bearer ${TEST_TOKEN}` };

describe('conflict routes: GET /data/conflicts, POST /data/conflicts/:id/resolve', () => {
  let server: TestServer;
  let a: ReturnType<typeof trackedDb>;
  let b: ReturnType<typeof trackedDb>;
  let id: string;
  beforeEach(async () => {
    [a, b] = [trackedDb(), trackedDb()];
    a.db.exec("INSERT INTO teams VALUES ('t1', 'Robots', 254, NULL, NULL)");
    pullAll(a.tracker, b.tracker);
    a.db.exec("INSERT INTO reports (id, team_id, match, scout) VALUES ('ra', 't1', 'Q1', 'ann')");
    nextMillisecond();
    b.db.exec("INSERT INTO reports (id, team_id, match, scout) VALUES ('rb', 't1', 'Q1', 'ann')");
    pullAll(a.tracker, b.tracker);
    server = await startServer(makeApp({ database: b.db, tables: ['teams', 'reports'], maxChangesetBytes: 4096 }));
    const listed = await request(server.url).get('/api/sync/data/conflicts').set(auth);
    expect(listed.status).toBe(200);
    expect(listed.body.conflicts).toEqual([
      {
        id: expect.stringMatching(/^[0-9a-f]{16}$/),
        table: 'reports',
        key: ['rb'],
        reason: 'UNIQUE',
        message: expect.stringContaining('UNIQUE (match, team_id, scout)'),
        parked: { id: 'rb', team_id: 't1', match: 'Q1', scout: 'ann', score: 0, notes: null },
        holder: { id: 'ra', team_id: 't1', match: 'Q1', scout: 'ann', score: 0, notes: null },
        at: expect.any(String),
        keyColumns: ['id'],
      },
    ]);
    id = listed.body.conflicts[0].id as string;
  });
  afterEach(async () => {
    await server.close();
    a.cleanup();
    b.cleanup();
  });

  it('pages with after= and limit=, in id order', async () => {
    expect((await request(server.url).get('/api/sync/data/conflicts').query({ after: id }).set(auth)).body).toEqual({ conflicts: [] });
    expect((await request(server.url).get('/api/sync/data/conflicts').query({ limit: 1 }).set(auth)).body.conflicts).toHaveLength(1);
  });

  it('restores with edited values (200 { id, action, seq }), and the row is back', async () => {
    const response = await request(server.url).post(`/api/sync/data/conflicts/${id}/resolve`).set(auth).send({ action: 'restore', values: { scout: 'bo' } });
    expect(response.status).toBe(200);
    expect(response.body).toEqual({ id, action: 'restore', seq: expect.any(Number) });
    expect(b.db.prepare('SELECT id, scout FROM reports ORDER BY id').all()).toEqual([
      { id: 'ra', scout: 'ann' },
      { id: 'rb', scout: 'bo' },
    ]);
  });

  it('discards (200), and the conflict is gone', async () => {
    expect((await request(server.url).post(`/api/sync/data/conflicts/${id}/resolve`).set(auth).send({ action: 'discard' })).status).toBe(200);
    expect((await request(server.url).get('/api/sync/data/conflicts').set(auth)).body).toEqual({ conflicts: [] });
  });

  it.each<[string, number, string, () => request.Test]>([
    ['an unknown id', 404, 'CONFLICT_NOT_FOUND', () => request(server.url).post('/api/sync/data/conflicts/0123456789abcdef/resolve').set(auth).send({ action: 'discard' })],
    ['a malformed id', 404, 'CONFLICT_NOT_FOUND', () => request(server.url).post('/api/sync/data/conflicts/..%2F..%2Fetc/resolve').set(auth).send({ action: 'discard' })],
    ['no token', 401, 'UNAUTHORIZED', () => request(server.url).post(`/api/sync/data/conflicts/${id}/resolve`).send({ action: 'discard' })],
    ['a form body', 415, 'UNSUPPORTED_MEDIA_TYPE', () => request(server.url).post(`/api/sync/data/conflicts/${id}/resolve`).set(auth).type('form').send('action=discard')],
    ['broken JSON', 400, 'MALFORMED_JSON', () => request(server.url).post(`/api/sync/data/conflicts/${id}/resolve`).set(auth).type('json').send('{"action":')],
    ['a body over the limit', 413, 'BODY_TOO_LARGE', () => request(server.url).post(`/api/sync/data/conflicts/${id}/resolve`).set(auth).send({ action: 'restore', values: { notes: 'x'.repeat(5000) } })],
    ['a JSON string', 400, 'INVALID_RESOLUTION', () => request(server.url).post(`/api/sync/data/conflicts/${id}/resolve`).set(auth).type('json').send('"discard"')],
    ['an unknown action', 400, 'INVALID_RESOLUTION', () => request(server.url).post(`/api/sync/data/conflicts/${id}/resolve`).set(auth).send({ action: 'keep-both' })],
    ['an unknown column', 400, 'INVALID_RESOLUTION', () => request(server.url).post(`/api/sync/data/conflicts/${id}/resolve`).set(auth).send({ action: 'restore', values: { drop: 'table' } })],
    ['a key column', 400, 'INVALID_RESOLUTION', () => request(server.url).post(`/api/sync/data/conflicts/${id}/resolve`).set(auth).send({ action: 'restore', values: { id: 'rc' } })],
    ['a value a column refuses', 400, 'INVALID_RESOLUTION', () => request(server.url).post(`/api/sync/data/conflicts/${id}/resolve`).set(auth).send({ action: 'restore', values: { scout: null } })],
    ['a value with a lone surrogate (not text)', 400, 'INVALID_RESOLUTION', () => request(server.url).post(`/api/sync/data/conflicts/${id}/resolve`).set(auth).send({ action: 'restore', values: { scout: 'x\ud800' } })],
    ['values that still clash', 409, 'STILL_CONFLICTS', () => request(server.url).post(`/api/sync/data/conflicts/${id}/resolve`).set(auth).send({ action: 'restore', values: { score: 5 } })],
    ['a bad after=', 400, 'BAD_QUERY', () => request(server.url).get('/api/sync/data/conflicts').query({ after: "' OR 1=1" }).set(auth)],
    ['a bad limit=', 400, 'BAD_QUERY', () => request(server.url).get('/api/sync/data/conflicts').query({ limit: '-1' }).set(auth)],
    ['limit=0', 400, 'BAD_QUERY', () => request(server.url).get('/api/sync/data/conflicts').query({ limit: '0' }).set(auth)],
    ['limit over 1000', 400, 'BAD_QUERY', () => request(server.url).get('/api/sync/data/conflicts').query({ limit: '1001' }).set(auth)],
    ['a bad site= on /data/info', 400, 'BAD_QUERY', () => request(server.url).get('/api/sync/data/info').query({ site: 'x' }).set(auth)],
    ['a repeated seen_site= on /data/info', 400, 'BAD_QUERY', () => request(server.url).get('/api/sync/data/info?seen_site=0&seen_site=1').set(auth)],
  ])('%s: %i %s, nothing changed', async (_name, status, code, send) => {
    const before = dbDigest(b.db);
    const response = await send();
    expect([response.status, response.body.error?.code]).toEqual([status, code]);
    expect(Object.keys(response.body.error as object).sort()).toEqual(['code', 'message']);
    expect(dbDigest(b.db)).toBe(before);
  });
});
