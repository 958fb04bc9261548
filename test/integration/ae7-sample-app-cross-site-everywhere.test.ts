import path from 'node:path';
import type Database from 'better-sqlite3';
import request from 'supertest';
import { createSampleApp } from '../../sample-app/app';
import { readSampleConfig } from '../../sample-app/config';
import { openSampleDatabase } from '../../sample-app/database';
import { treeDigest } from '../helpers/file-roots';
import { multipart } from '../helpers/multipart';
import { startServer, TEST_TOKEN, type TestServer } from '../helpers/server';
import { tempDir } from '../helpers/temp';

const EVIL = { Origin: 'https://evil.example' };
describe('ae7: every cross-site write to the sample app is refused, the sync router moved in front of the app guard (4a74cb5)', () => {
  let temp: ReturnType<typeof tempDir>;
  let db: Database.Database;
  let server: TestServer;
  beforeEach(async () => {
    temp = tempDir('ess-ae7-');
    const config = readSampleConfig({ DATA_DIR: path.join(temp.dir, 'data'), SYNC_TOKEN: TEST_TOKEN });
    db = openSampleDatabase(config.dataDir);
    const logger = { info: () => undefined, warn: () => undefined, error: () => undefined };
    server = await startServer(createSampleApp({ dataDir: config.dataDir, db, token: TEST_TOKEN, logger }).app);
  });
  afterEach(async () => { await server.close(); db.close(); temp.cleanup(); });
  const upload = multipart([{ name: 'file', filename: 'pwn.txt', content: 'pwned' }]);
  it.each([
    ['POST', '/api/sync/nope'], ['PUT', '/api/sync/run'], ['PATCH', '/api/sync/status'], ['POST', '/API/SYNC/RUN'], ['POST', '/api/sync'], ['POST', '/api//sync/run'],
    ['POST', '/api/events'], ['DELETE', '/api/reports/x'], ['POST', '/reports/new'], ['POST', '/nowhere'], ['POST', '/api/sync/files/upload?path=uploads/pwn.txt'],
  ])('%s %s cross-site is 403 CROSS_SITE_REFUSED', async (method, url) => {
    const before = treeDigest(path.join(temp.dir, 'data', 'uploads'));
    for (const headers of [EVIL, { 'Sec-Fetch-Site': 'cross-site' }, { Origin: 'null' }]) {
      const r = await request(server.url)[method.toLowerCase() as 'post'](url).set(headers).set('Content-Type', upload.contentType).send(upload.body);
      expect([r.status, r.text.includes('CROSS_SITE_REFUSED')]).toEqual([403, true]);
    }
    expect(treeDigest(path.join(temp.dir, 'data', 'uploads'))).toBe(before);
  });
});
