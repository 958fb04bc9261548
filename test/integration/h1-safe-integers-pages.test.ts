import path from 'node:path';
import request from 'supertest';
import { silentLogger } from '../../lib/logger';
import { createSampleApp } from '../../sample-app/app';
import { readSampleConfig } from '../../sample-app/config';
import { openSampleDatabase } from '../../sample-app/database';
import { startServer, TEST_TOKEN, type TestServer } from '../helpers/server';
import { tempDir } from '../helpers/temp';

describe('sample app on a database that reads integers as BigInt (db.defaultSafeIntegers(true))', () => {
  let temp: ReturnType<typeof tempDir>;
  let db: ReturnType<typeof openSampleDatabase>;
  let server: TestServer;
  beforeEach(async () => {
    temp = tempDir('ess-h1-bigint-');
    const { dataDir } = readSampleConfig({ DATA_DIR: path.join(temp.dir, 'data'), SYNC_TOKEN: TEST_TOKEN });
    db = openSampleDatabase(dataDir);
    db.defaultSafeIntegers(true);
    server = await startServer(createSampleApp({ dataDir, db, token: TEST_TOKEN, logger: silentLogger }).app);
  });
  afterEach(async () => {
    await server.close();
    db.close();
    temp.cleanup();
  });

  it('every page and API list answers, as the JSON API already did', async () => {
    await request(server.url)
      .post('/reports/new')
      .type('form')
      .send({ team_number: '254', team_name: 'Poofs', match_label: 'Q1', scout: 'Ann', auto_points: '1', teleop_points: '2', notes: '' })
      .expect(303);
    const home = await request(server.url).get('/');
    expect(home.status).toBe(200);
    expect(home.text).toContain('Match reports</a> (1)');
    const list = await request(server.url).get('/reports').expect(200);
    expect(list.text).toContain('254 Poofs');
    expect((await request(server.url).get('/api/reports').expect(200)).body).toEqual([expect.objectContaining({ scout: 'Ann', auto_points: 1 })]);
  });
});
