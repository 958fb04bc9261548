import path from 'node:path';
import type Database from 'better-sqlite3';
import request from 'supertest';
import { createSampleApp } from '../../sample-app/app';
import { readSampleConfig } from '../../sample-app/config';
import { openSampleDatabase } from '../../sample-app/database';
import { captureLog, LEVEL, type CapturedLog } from '../helpers/log';
import { startServer, TEST_TOKEN, type TestServer } from '../helpers/server';
import { tempDir } from '../helpers/temp';

const EVIL = { Origin: 'https://evil.example' };
const FORM = 'team_number=254&team_name=Poofs&match_label=Q9&scout=ann&auto_points=1&teleop_points=2&notes=';

// Found by helper af4: the sample app's own refusals (a cross-site form post to /reports/new or /photos, a
// cross-site or oversized write to its JSON API) were answered but never logged, while the sync router
// logs each of its refusals as `request.refused` (at most 10 lines a minute per caller and code). A
// scout whose every save was refused (an old browser behind a proxy that rewrote Host, a photo over the
// limit) left the operator nothing to read in the log. They are now logged the same way, once.
describe("af4: the sample app logs its own refusals as the sync router logs its", () => {
  let temp: ReturnType<typeof tempDir>;
  let db: Database.Database;
  let server: TestServer;
  let log: CapturedLog;

  beforeEach(async () => {
    temp = tempDir('ess-af4-refusals-');
    log = captureLog();
    const config = readSampleConfig({ DATA_DIR: path.join(temp.dir, 'data'), SYNC_TOKEN: TEST_TOKEN });
    db = openSampleDatabase(config.dataDir);
    server = await startServer(createSampleApp({ dataDir: config.dataDir, db, token: TEST_TOKEN, logger: log.logger }).app);
  });
  afterEach(async () => {
    await server.close();
    db.close();
    temp.cleanup();
  });

  it.each([
    ['a cross-site form to /reports/new', () => request(server.url).post('/reports/new').set(EVIL).type('form').send(FORM), 403, 'CROSS_SITE_REFUSED', 'POST', '/reports/new'],
    ['a cross-site JSON write to /api/events', () => request(server.url).post('/api/events').set(EVIL).send({ kind: 'note' }), 403, 'CROSS_SITE_REFUSED', 'POST', '/api/events'],
    ['a JSON body over the limit', () => request(server.url).post('/api/events').set('Content-Type', 'application/json').send(JSON.stringify({ kind: 'note', detail: 'x'.repeat(200 * 1024) })), 413, 'BODY_TOO_LARGE', 'POST', '/api/events'],
  ] as const)('%s: answered, and one request.refused line at warn with the caller', async (_name, send, status, code, method, route) => {
    const answer = await send();
    expect(answer.status).toBe(status);
    expect(log.events('request.refused')).toEqual([expect.objectContaining({ level: LEVEL.warn, status, code, method, path: route, from: '127.0.0.1' })]);
    expect(db.prepare('SELECT count(*) FROM match_reports').pluck().get()).toBe(0);
  });

  it('a cross-site write to the sync API is logged once (by the sync router), not twice', async () => {
    await request(server.url).post('/api/sync/run').set({ Authorization: `Bearer ${TEST_TOKEN}`, ...EVIL }).expect(403);
    expect(log.events('request.refused')).toEqual([expect.objectContaining({ code: 'CROSS_SITE_REFUSED', path: '/api/sync/run' })]);
  });

  it('bounded as the router bounds it: 10 lines a minute per caller and code, the 10th says until when', async () => {
    for (let i = 0; i < 12; i += 1) await request(server.url).post('/reports/new').set(EVIL).type('form').send(FORM).expect(403);
    const lines = log.events('request.refused');
    expect(lines).toHaveLength(10);
    expect(lines[9]).toHaveProperty('omittedUntil');
  });

  it('a page that is not there, or a bad field, is no refusal line (404 and 400 are not logged, as in the router)', async () => {
    await request(server.url).get('/nowhere').expect(404);
    await request(server.url).post('/api/events').send({ kind: '' }).expect(400);
    expect(log.events('request.refused')).toEqual([]);
  });
});
