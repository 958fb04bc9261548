import path from 'node:path';
import type Database from 'better-sqlite3';
import request from 'supertest';
import { createSampleApp } from '../../sample-app/app';
import { readSampleConfig } from '../../sample-app/config';
import { openSampleDatabase } from '../../sample-app/database';
import { captureLog, LEVEL, type CapturedLog } from '../helpers/log';
import { startServer, TEST_TOKEN, type TestServer } from '../helpers/server';
import { tempDir } from '../helpers/temp';

// Found by helper af4: a page that failed (500) was logged as "page request failed" with no `event` field
// and the URL as `url`, while every other line of the app and the library has an `event` (the JSON API's
// 500 is `request.failed` with `method` and `path`): an operator filtering the log by event, as API.md's
// Logs table invites, never saw the pages' failures. They are now `request.failed` too.
describe('af4: a page that fails is logged as request.failed', () => {
  let temp: ReturnType<typeof tempDir>;
  let db: Database.Database;
  let server: TestServer;
  let log: CapturedLog;

  beforeEach(async () => {
    temp = tempDir('ess-af4-page-failed-');
    log = captureLog();
    const config = readSampleConfig({ DATA_DIR: path.join(temp.dir, 'data'), SYNC_TOKEN: TEST_TOKEN });
    db = openSampleDatabase(config.dataDir);
    server = await startServer(createSampleApp({ dataDir: config.dataDir, db, token: TEST_TOKEN, logger: log.logger }).app);
  });
  afterEach(async () => {
    await server.close();
    if (db.open) db.close();
    temp.cleanup();
  });

  it('GET /reports with the database closed: 500 page, one request.failed line at error with method, path and the error', async () => {
    db.close();
    const answer = await request(server.url).get('/reports?team=254');
    expect(answer.status).toBe(500);
    expect(answer.text).not.toMatch(/at .*\.[jt]s:\d+/);
    const lines = log.events('request.failed');
    expect(lines).toEqual([expect.objectContaining({ level: LEVEL.error, status: 500, code: 'INTERNAL', method: 'GET', path: '/reports' })]);
    expect(lines[0]?.err).toBeDefined();
  });
});
