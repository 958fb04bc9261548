import request from 'supertest';
import { LEVEL } from '../helpers/log';
import { startLoggedSampleApp, type LoggedSampleApp } from '../helpers/logged-sample-app';
import { TEST_TOKEN } from '../helpers/server';

const EVIL = { Origin: 'https://evil.example' };
const FORM = 'team_number=254&team_name=Poofs&match_label=Q9&scout=ann&auto_points=1&teleop_points=2&notes=';

// Found by helper af4: the sample app's own refusals (a cross-site form post to /reports/new or /photos, a
// cross-site or oversized write to its JSON API) were answered but never logged, while the sync router
// logs each of its refusals as `request.refused` (at most 10 lines a minute per caller and code). A
// scout whose every save was refused (an old browser behind a proxy that rewrote Host, a photo over the
// limit) left the operator nothing to read in the log. They are now logged the same way, once.
describe("af4: the sample app logs its own refusals as the sync router logs its", () => {
  let app: LoggedSampleApp;

  beforeEach(async () => {
    app = await startLoggedSampleApp('ess-af4-refusals-');
  });
  afterEach(() => app.close());

  it.each([
    ['a cross-site form to /reports/new', () => request(app.server.url).post('/reports/new').set(EVIL).type('form').send(FORM), 403, 'CROSS_SITE_REFUSED', 'POST', '/reports/new'],
    ['a cross-site JSON write to /api/events', () => request(app.server.url).post('/api/events').set(EVIL).send({ kind: 'note' }), 403, 'CROSS_SITE_REFUSED', 'POST', '/api/events'],
    ['a JSON body over the limit', () => request(app.server.url).post('/api/events').set('Content-Type', 'application/json').send(JSON.stringify({ kind: 'note', detail: 'x'.repeat(200 * 1024) })), 413, 'BODY_TOO_LARGE', 'POST', '/api/events'],
  ] as const)('%s: answered, and one request.refused line at warn with the caller', async (_name, send, status, code, method, route) => {
    const answer = await send();
    expect(answer.status).toBe(status);
    expect(app.log.events('request.refused')).toEqual([expect.objectContaining({ level: LEVEL.warn, status, code, method, path: route, from: '127.0.0.1' })]);
    expect(app.db.prepare('SELECT count(*) FROM match_reports').pluck().get()).toBe(0);
  });

  it('a cross-site write to the sync API is logged once (by the sync router), not twice', async () => {
    await request(app.server.url).post('/api/sync/run').set({ Authorization: `Bearer ${TEST_TOKEN}`, ...EVIL }).expect(403);
    expect(app.log.events('request.refused')).toEqual([expect.objectContaining({ code: 'CROSS_SITE_REFUSED', path: '/api/sync/run' })]);
  });

  it('bounded as the router bounds it: 10 lines a minute per caller and code, the 10th says until when', async () => {
    for (let i = 0; i < 12; i += 1) await request(app.server.url).post('/reports/new').set(EVIL).type('form').send(FORM).expect(403);
    const lines = app.log.events('request.refused');
    expect(lines).toHaveLength(10);
    expect(lines[9]).toHaveProperty('omittedUntil');
  });

  it('a page that is not there, or a bad field, is no refusal line (404 and 400 are not logged, as in the router)', async () => {
    await request(app.server.url).get('/nowhere').expect(404);
    await request(app.server.url).post('/api/events').send({ kind: '' }).expect(400);
    expect(app.log.events('request.refused')).toEqual([]);
  });
});
