import path from 'node:path';
import type Database from 'better-sqlite3';
import request from 'supertest';
import type { SyncLogger } from '../../lib/logger';
import { createSampleApp } from '../../sample-app/app';
import { readSampleConfig } from '../../sample-app/config';
import { openSampleDatabase } from '../../sample-app/database';
import { treeDigest } from '../helpers/file-roots';
import { multipart } from '../helpers/multipart';
import { startServer, TEST_TOKEN, type TestServer } from '../helpers/server';
import { tempDir } from '../helpers/temp';

const AUTH = { Authorization: `Bearer ${TEST_TOKEN}` };
const EVIL = { Origin: 'https://evil.example' };

interface Refusal {
  readonly code: string;
  readonly method: string;
  readonly path: string;
  readonly from: string;
}

/**
 * A cross-site write to the sample app's sync API (a page on another site
 * posting to /api/sync/run, /deletions/confirm or an upload) is refused, and
 * the operator sees it as the sync router's other refusals: a
 * `request.refused` line, an entry in /status `refusals` and a count in
 * /metrics. The app's own cross-site guard used to stand in front of the
 * sync router and answer these itself, so none of the three showed them.
 */
describe('ae1: the sample app shows cross-site writes to its sync API', () => {
  let temp: ReturnType<typeof tempDir>;
  let db: Database.Database;
  let server: TestServer;
  let warned: Array<Record<string, unknown>>;

  beforeEach(async () => {
    temp = tempDir('ess-ae1-');
    warned = [];
    const logger: SyncLogger = {
      info: () => undefined,
      warn: (detail) => warned.push(detail as Record<string, unknown>),
      error: () => undefined,
    };
    const config = readSampleConfig({ DATA_DIR: path.join(temp.dir, 'data'), SYNC_TOKEN: TEST_TOKEN });
    db = openSampleDatabase(config.dataDir);
    server = await startServer(createSampleApp({ dataDir: config.dataDir, db, token: TEST_TOKEN, logger }).app);
  });
  afterEach(async () => {
    await server.close();
    db.close();
    temp.cleanup();
  });

  const upload = multipart([{ name: 'file', filename: 'pwn.txt', content: 'pwned' }]);
  const ROUTES: ReadonlyArray<readonly [string, (headers: Record<string, string>) => request.Test]> = [
    ['POST /api/sync/run', (headers) => request(server.url).post('/api/sync/run').set(headers)],
    ['POST /api/sync/deletions/confirm', (headers) => request(server.url).post('/api/sync/deletions/confirm').set(headers)],
    ['POST /api/sync/files/upload', (headers) => request(server.url).post('/api/sync/files/upload?path=uploads/pwn.txt').set(headers).set('Content-Type', upload.contentType).send(upload.body)],
    ['DELETE /api/sync/files', (headers) => request(server.url).delete('/api/sync/files?path=config/x.txt').set(headers)],
  ];

  it.each(ROUTES)('%s from another site: 403, logged with the caller, listed in /status, counted in /metrics', async (name, send) => {
    const [method = '', route = ''] = name.split(' ');
    const before = treeDigest(path.join(temp.dir, 'data', 'uploads'));
    const answer = await send({ ...AUTH, ...EVIL });
    expect(answer.status).toBe(403);
    expect(answer.body).toMatchObject({ error: { code: 'CROSS_SITE_REFUSED' } });
    expect(treeDigest(path.join(temp.dir, 'data', 'uploads'))).toBe(before);

    expect(warned).toContainEqual(expect.objectContaining({ event: 'request.refused', status: 403, code: 'CROSS_SITE_REFUSED', method, path: route, from: '127.0.0.1' }));
    const status = (await request(server.url).get('/api/sync/status').set(AUTH).expect(200)).body as { refusals: Refusal[] };
    expect(status.refusals[0]).toMatchObject({ code: 'CROSS_SITE_REFUSED', method, path: route, from: '127.0.0.1' });
    const metrics = (await request(server.url).get('/api/sync/metrics').set(AUTH).expect(200)).text;
    expect(metrics).toContain('express_sqlite_sync_refusals_total{status="403",code="CROSS_SITE_REFUSED"} 1');
  });

  it("the app's own pages still refuse a cross-site form, and a same-origin one is saved (controls)", async () => {
    const form = 'team_number=254&team_name=Poofs&match_label=Q9&scout=ann&auto_points=1&teleop_points=2&notes=';
    const refused = await request(server.url).post('/reports/new').set(EVIL).type('form').send(form);
    expect(refused.status).toBe(403);
    expect(refused.text).toContain('CROSS_SITE_REFUSED');
    expect(db.prepare('SELECT count(*) FROM match_reports').pluck().get()).toBe(0);
    const host = new URL(server.url).host;
    await request(server.url).post('/reports/new').set({ Origin: `http://${host}` }).type('form').send(form).expect(303);
    expect(db.prepare('SELECT count(*) FROM match_reports').pluck().get()).toBe(1);
  });
});
