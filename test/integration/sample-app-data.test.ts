import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type Database from 'better-sqlite3';
import request from 'supertest';
import { silentLogger } from '../../lib/logger';
import { createSampleApp } from '../../sample-app/app';
import { SAMPLE_ROOTS } from '../../sample-app/config';
import { openSampleDatabase } from '../../sample-app/database';
import { dbDigest } from '../helpers/data';
import { startServer, TEST_TOKEN, type TestServer } from '../helpers/server';
import { tempDir } from '../helpers/temp';

interface Instance {
  readonly db: Database.Database;
  readonly server: TestServer;
  close(): Promise<void>;
}

async function startInstance(): Promise<Instance> {
  const dir = tempDir('ess-sample-');
  for (const root of SAMPLE_ROOTS) mkdirSync(path.join(dir.dir, root), { recursive: true });
  const db = openSampleDatabase(dir.dir);
  const server = await startServer(createSampleApp({ dataDir: dir.dir, db, token: TEST_TOKEN, logger: silentLogger }).app);
  return {
    db,
    server,
    close: async () => {
      await server.close();
      db.close();
      dir.cleanup();
    },
  };
}

const auth = { Authorization: `Bearer ${TEST_TOKEN}` };

/** Pulls every data change from one instance into another over HTTP. */
async function sync(from: Instance, to: Instance): Promise<unknown> {
  const info = await request(to.server.url).get('/api/sync/data/info').set(auth);
  const page = await request(from.server.url).get('/api/sync/data/changes').query({ since: 0, limit: 5000, exclude_site: info.body.site }).set(auth);
  const applied = await request(to.server.url).post('/api/sync/data/changes').set(auth).send(page.body);
  expect(applied.status).toBe(200);
  return applied.body;
}

describe('sample app: scouting data syncs between two servers', () => {
  let a: Instance;
  let b: Instance;
  beforeEach(async () => {
    [a, b] = await Promise.all([startInstance(), startInstance()]);
  });
  afterEach(async () => {
    await Promise.all([a.close(), b.close()]);
  });

  it.each<[string, unknown]>([
    ['a kind that is a number', { kind: 5 }],
    ['an array', []],
    ['an unknown field', { unknown: 1 }],
    ['a kind over 100 characters', { kind: 'k'.repeat(101) }],
    ['a detail over 10,000 characters', { kind: 'note', detail: 'd'.repeat(10_001) }],
  ])('POST /api/events refuses %s with 400 BAD_FIELD and writes nothing', async (_what, body) => {
    const response = await request(a.server.url).post('/api/events').send(body as object);
    expect(response.status).toBe(400);
    expect(response.body).toEqual({ error: { code: 'BAD_FIELD', message: expect.any(String) } });
    expect(a.db.prepare('SELECT count(*) FROM app_events').pluck().get()).toBe(0);
  });

  it('POST /api/events takes { kind, detail }, and { } as a note', async () => {
    await request(a.server.url).post('/api/events').send({ kind: 'visit', detail: 'pit 12' }).expect(201);
    await request(a.server.url).post('/api/events').send({}).expect(201);
    expect(a.db.prepare('SELECT kind, detail FROM app_events ORDER BY kind').raw(true).all()).toEqual([['note', null], ['visit', 'pit 12']]);
  });

  it('creates, edits and deletes reports on either server, and both end with the same rows', async () => {
    const team = await request(a.server.url).post('/api/teams').send({ number: 254, name: 'The Cheesy Poofs' });
    const match = await request(a.server.url).post('/api/matches').send({ label: 'Q1' });
    const report = await request(a.server.url).post('/api/reports').send({ match_id: match.body.id, team_id: team.body.id, scout: 'ann', auto_points: 12 });
    expect([team.status, match.status, report.status]).toEqual([201, 201, 201]);
    await sync(a, b);
    const onB = await request(b.server.url).get('/api/reports');
    expect(onB.body).toEqual([report.body]);
    const patched = await request(b.server.url).patch(`/api/reports/${report.body.id}`).send({ teleop_points: 30, notes: 'fast' });
    expect(patched.body).toMatchObject({ auto_points: 12, teleop_points: 30, notes: 'fast' });
    const notAnObject = await request(b.server.url).patch(`/api/reports/${report.body.id}`).send([]);
    expect([notAnObject.status, notAnObject.body.error.code]).toEqual([400, 'BAD_FIELD']);
    await sync(b, a);
    expect((await request(a.server.url).get('/api/reports')).body).toEqual([patched.body]);
    expect((await request(a.server.url).delete(`/api/reports/${report.body.id}`)).status).toBe(204);
    await sync(a, b);
    expect((await request(b.server.url).get('/api/reports')).body).toEqual([]);
    expect(dbDigest(b.db, true)).toBe(dbDigest(a.db, true));
  });

  it('reports two scouts filing the same (match, team, scout) on two servers as a conflict, not silently', async () => {
    const team = await request(a.server.url).post('/api/teams').send({ number: 971, name: 'Spartan Robotics' });
    const match = await request(a.server.url).post('/api/matches').send({ label: 'Q7' });
    await sync(a, b);
    const fields = { match_id: match.body.id, team_id: team.body.id, scout: 'bo' };
    await request(a.server.url).post('/api/reports').send({ ...fields, auto_points: 1 });
    await request(b.server.url).post('/api/reports').send({ ...fields, auto_points: 2 });
    const result = (await sync(a, b)) as { conflicts: { reason: string; table: string }[] };
    expect(result.conflicts).toEqual([expect.objectContaining({ table: 'match_reports', reason: 'UNIQUE' })]);
    // The later claim is parked on b (the earlier one holds the values) and listed as a conflict.
    const listed = await request(b.server.url).get('/api/sync/data/conflicts').set('Authorization', `Bearer ${TEST_TOKEN}`);
    expect(listed.body.conflicts).toEqual([expect.objectContaining({ table: 'match_reports', reason: 'UNIQUE' })]);
  });

  it('keys a match by its label as people write it: "q2 " on one laptop and "Q2" on another are one match, labelled "Q2"; a blank label is refused', async () => {
    const onA = await request(a.server.url).post('/api/matches').send({ label: 'q2 ' });
    const onB = await request(b.server.url).post('/api/matches').send({ label: ' Q2' });
    expect([onA.status, onB.status]).toEqual([201, 201]);
    expect(onA.body.id).toBe(onB.body.id);
    expect(onA.body.label).toBe('Q2');
    await sync(a, b);
    expect((await request(b.server.url).get('/api/matches')).body).toEqual([expect.objectContaining({ id: onA.body.id, label: 'Q2' })]);
    const blank = await request(a.server.url).post('/api/matches').send({ label: '   ' });
    expect([blank.status, blank.body.error.code]).toEqual([400, 'BAD_FIELD']);
    // É typed as one character or as E and a combining accent: one match.
    const composed = await request(a.server.url).post('/api/matches').send({ label: 'F\u00c9' });
    const decomposed = await request(b.server.url).post('/api/matches').send({ label: 'Fe\u0301' });
    expect(decomposed.body.id).toBe(composed.body.id);
  });

  it.each([
    ['a lone surrogate in the name', '/api/teams', { number: 971, name: '\ud800' }],
    ['an array', '/api/teams', [{ number: 971, name: 'Spartan' }]],
    ['an array', '/api/matches', [{ label: 'Q1' }]],
  ])('%s: POST %s is 400 BAD_FIELD', async (_name, route, body) => {
    const response = await request(a.server.url).post(route).send(body as object);
    expect([response.status, response.body.error.code]).toEqual([400, 'BAD_FIELD']);
  });

  it.each([
    ['no body', undefined],
    ['a missing scout', { match_id: 'm', team_id: 't' }],
    ['an unknown field', { match_id: 'm', team_id: 't', scout: 's', drop: 'table' }],
    ['__proto__', JSON.parse('{"match_id":"m","team_id":"t","scout":"s","__proto__":{"x":1}}') as unknown],
    ['negative points', { match_id: 'm', team_id: 't', scout: 's', auto_points: -1 }],
    ['points as text', { match_id: 'm', team_id: 't', scout: 's', auto_points: '5' }],
    ['a lone surrogate in the scout (no UTF-8 form)', { match_id: 'm', team_id: 't', scout: '\ud800' }],
    ['a lone surrogate in the notes', { match_id: 'm', team_id: 't', scout: 's', notes: 'x\udc00' }],
    ['an array', [{ match_id: 'm', team_id: 't', scout: 's' }]],
  ])('POST /api/reports refuses %s with 400 BAD_FIELD and writes nothing', async (_name, body) => {
    const before = dbDigest(a.db);
    const response = await request(a.server.url).post('/api/reports').send(body as object);
    expect([response.status, response.body.error.code]).toEqual([400, 'BAD_FIELD']);
    expect(dbDigest(a.db)).toBe(before);
  });

  it('answers 422 for a report naming an unknown team and 404 for a missing report', async () => {
    const response = await request(a.server.url).post('/api/reports').send({ match_id: 'nope', team_id: 'nope', scout: 's' });
    expect([response.status, response.body.error.code]).toEqual([422, 'UNKNOWN_REFERENCE']);
    expect((await request(a.server.url).patch('/api/reports/nope').send({ notes: 'x' })).status).toBe(404);
    expect((await request(a.server.url).delete('/api/reports/nope')).status).toBe(404);
  });
});
