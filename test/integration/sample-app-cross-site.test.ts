import path from 'node:path';
import request from 'supertest';
import { treeDigest } from '../helpers/file-roots';
import { multipart } from '../helpers/multipart';
import { scoutingCounts, startSampleServer, type SampleServer } from '../helpers/sample-server';

/** The smallest PNG: a 1x1 transparent pixel. */
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==', 'base64');

interface WriteRoute {
  readonly name: string;
  readonly method: 'post' | 'patch' | 'delete';
  /** The path; `:id` is the report made before each test. */
  readonly path: string;
  readonly type?: string;
  readonly body?: string | Buffer;
  /** What a same-origin request gets. */
  readonly ok: number;
}

const photo = multipart([{ name: 'file', filename: 'robot.png', content: PNG }]);

const WRITE_ROUTES: readonly WriteRoute[] = [
  { name: 'the report form', method: 'post', path: '/reports/new', type: 'application/x-www-form-urlencoded', body: 'team_number=254&team_name=Poofs&match_label=Q9&scout=csrf&auto_points=1&teleop_points=2&notes=', ok: 303 },
  { name: 'the photo upload', method: 'post', path: '/photos', type: photo.contentType, body: photo.body, ok: 303 },
  { name: 'app events', method: 'post', path: '/api/events', type: 'application/json', body: '{"kind":"note","detail":"x"}', ok: 201 },
  { name: 'a new team', method: 'post', path: '/api/teams', type: 'application/json', body: '{"number":1323,"name":"Madtown"}', ok: 201 },
  { name: 'a new match', method: 'post', path: '/api/matches', type: 'application/json', body: '{"label":"Q42"}', ok: 201 },
  { name: 'a new report', method: 'post', path: '/api/reports', type: 'application/json', body: 'REPORT', ok: 201 },
  { name: 'a report edit', method: 'patch', path: '/api/reports/:id', type: 'application/json', body: '{"notes":"edited"}', ok: 200 },
  { name: 'a report deletion', method: 'delete', path: '/api/reports/:id', ok: 204 },
];

/** Headers a browser sends for a write that another site's page started. */
const CROSS_SITE: ReadonlyArray<readonly [string, Record<string, string>]> = [
  ['Sec-Fetch-Site: cross-site', { 'Sec-Fetch-Site': 'cross-site', Origin: 'https://evil.example' }],
  ['Sec-Fetch-Site: same-site', { 'Sec-Fetch-Site': 'same-site', Origin: 'http://other.localhost' }],
  ['Origin of another site (no Sec-Fetch-Site)', { Origin: 'https://evil.example' }],
  ['Origin: null (a sandboxed frame)', { Origin: 'null' }],
];

describe('the sample app refuses cross-site writes', () => {
  let server: SampleServer;
  let reportId: string;
  let matchId: string;
  let teamId: string;

  beforeEach(async () => {
    server = await startSampleServer();
    teamId = ((await request(server.url).post('/api/teams').send({ number: 254, name: 'Poofs' })).body as { id: string }).id;
    matchId = ((await request(server.url).post('/api/matches').send({ label: 'Q1' })).body as { id: string }).id;
    reportId = ((await request(server.url).post('/api/reports').send({ match_id: matchId, team_id: teamId, scout: 'first' })).body as { id: string }).id;
  });
  afterEach(async () => {
    await server.close();
  });

  /** Everything a write could change: the tables, the app events and the uploaded files. */
  function snapshot(): unknown {
    const events = server.db.prepare('SELECT count(*) FROM app_events').pluck().get();
    const report = server.db.prepare('SELECT * FROM match_reports WHERE id = ?').get(reportId);
    return { counts: scoutingCounts(server.db), events, report, uploads: treeDigest(path.join(server.dataDir, 'uploads')) };
  }

  function send(route: WriteRoute, headers: Record<string, string>): request.Test {
    const url = route.path.replace(':id', reportId);
    let call = request(server.url)[route.method](url).set(headers);
    if (route.type !== undefined) call = call.set('Content-Type', route.type);
    const body = route.body === 'REPORT' ? JSON.stringify({ match_id: matchId, team_id: teamId, scout: 'second' }) : route.body;
    return body === undefined ? call : call.send(body);
  }

  const cases = WRITE_ROUTES.flatMap((route) => CROSS_SITE.map(([label, headers]) => [route.name, label, route, headers] as const));

  it.each(cases)('%s with %s: 403 CROSS_SITE_REFUSED, nothing written', async (_name, _label, route, headers) => {
    const before = snapshot();
    const answer = await send(route, headers);
    expect(answer.status).toBe(403);
    expect(answer.text).toContain('CROSS_SITE_REFUSED');
    expect(snapshot()).toEqual(before);
  });

  it.each(WRITE_ROUTES.map((route) => [route.name, route] as const))('%s from this app\'s own page (same origin) is saved', async (_name, route) => {
    const before = snapshot();
    const host = new URL(server.url).host;
    const answer = await send(route, { Origin: `http://${host}`, 'Sec-Fetch-Site': 'same-origin' });
    expect(answer.status).toBe(route.ok);
    expect(snapshot()).not.toEqual(before);
  });

  it.each(WRITE_ROUTES.filter((route) => route.path.startsWith('/api/') && route.method !== 'delete').map((route) => [route.name, route] as const))(
    '%s sent as text/plain (a form can send that without asking): 415, nothing written',
    async (_name, route) => {
      const before = snapshot();
      const answer = await send({ ...route, type: 'text/plain' }, {});
      expect(answer.status).toBe(415);
      expect(answer.body).toMatchObject({ error: { code: 'UNSUPPORTED_MEDIA_TYPE' } });
      expect(snapshot()).toEqual(before);
    },
  );

  it('the refusal of a page form is a readable page', async () => {
    const answer = await send(WRITE_ROUTES[0] as WriteRoute, { Origin: 'https://evil.example' });
    expect(answer.type).toBe('text/html');
    expect(answer.text).toContain('This form was sent from another web site, so nothing was saved.');
  });

  it('quotes the refused Origin in visible ASCII only: a C1 control (a terminal CSI, two bytes in UTF-8, read as two characters) never reaches the answer or the log', async () => {
    const answer = await send(WRITE_ROUTES[2] as WriteRoute, { Origin: 'https://evil.example/\u009b2J' });
    expect(answer.status).toBe(403);
    expect(answer.body).toEqual({ error: { code: 'CROSS_SITE_REFUSED', message: "refused: this write came from another web site (Origin: https://evil.example/??2J); nothing was saved. Use this app's own pages." } });
  });
});
