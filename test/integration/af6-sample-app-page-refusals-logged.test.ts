import path from 'node:path';
import type Database from 'better-sqlite3';
import request from 'supertest';
import { createSampleApp } from '../../sample-app/app';
import { readSampleConfig } from '../../sample-app/config';
import { openSampleDatabase } from '../../sample-app/database';
import { captureLog, LEVEL, type CapturedLog } from '../helpers/log';
import { startServer, TEST_TOKEN, type TestServer } from '../helpers/server';
import { tempDir } from '../helpers/temp';

const SQLITE_HEADER = Buffer.concat([Buffer.from('SQLite format 3\0'), Buffer.alloc(100)]);

// Found by review af6: 74b06e9 mounted logRefusals after the pages router, but the pages router ends
// with its own error page (createPages), so a refusal of a page's own (a photo over the 20 MiB limit,
// a photo that is an SQLite database) was answered as a page and never reached it: no request.refused
// line, though the commit and its test name "a photo over the limit" among what is now logged.
describe('af6: the sample app logs the refusals of its pages too', () => {
  let temp: ReturnType<typeof tempDir>;
  let db: Database.Database;
  let server: TestServer;
  let log: CapturedLog;

  beforeEach(async () => {
    temp = tempDir('ess-af6-page-refusals-');
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
    ['a photo over the limit', () => request(server.url).post('/photos').attach('file', Buffer.alloc(21 * 1024 * 1024), 'robot.jpg'), 413, 'FILE_TOO_LARGE'],
    ['a photo that is an SQLite database', () => request(server.url).post('/photos').attach('file', SQLITE_HEADER, 'robot.jpg'), 403, 'DB_CONTENT_REFUSED'],
  ] as const)('%s: the error page, and one request.refused line at warn', async (_name, send, status, code) => {
    const answer = await send();
    expect(answer.status).toBe(status);
    expect(answer.type).toBe('text/html');
    expect(log.events('request.refused')).toEqual([expect.objectContaining({ level: LEVEL.warn, status, code, method: 'POST', path: '/photos', from: '127.0.0.1' })]);
  });

  it('a page that is not there is no refusal line (404)', async () => {
    await request(server.url).get('/photos/file/nothing.jpg').expect(404);
    expect(log.events('request.refused')).toEqual([]);
  });
});
