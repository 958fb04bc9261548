import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type Database from 'better-sqlite3';
import request from 'supertest';
import { silentLogger } from '../../lib/logger';
import { createSampleApp } from '../../sample-app/app';
import { readSampleConfig } from '../../sample-app/config';
import { openSampleDatabase } from '../../sample-app/database';
import { startServer, type TestServer } from '../helpers/server';
import { tempDir } from '../helpers/temp';

/**
 * The seed's own verification: while the sample app writes its WAL database,
 * the instance root lists only config files, and the database can be neither
 * uploaded nor downloaded.
 */
describe('sample app: a database file never crosses', () => {
  let temp: ReturnType<typeof tempDir>;
  let db: Database.Database;
  let server: TestServer;
  let auth: Record<string, string>;
  let dataDir: string;

  beforeEach(async () => {
    temp = tempDir();
    const config = readSampleConfig({ DATA_DIR: path.join(temp.dir, 'data'), SYNC_TOKEN: 'sample-token-0123456789' });
    dataDir = config.dataDir;
    db = openSampleDatabase(dataDir);
    server = await startServer(createSampleApp({ dataDir, db, token: config.token, logger: silentLogger }).app);
    auth = { Authorization: `Bearer ${config.token}` };
  });

  afterEach(async () => {
    await server.close();
    db.close();
    temp.cleanup();
  });

  it('lists the instance config files and no database file while the app writes', async () => {
    const insert = db.prepare("INSERT INTO app_events (id, at, kind) VALUES (?, datetime('now'), 'test')");
    for (let round = 0; round < 20; round += 1) {
      for (let i = 0; i < 50; i += 1) insert.run(randomUUID());
      await request(server.url).post('/api/events').send({ kind: 'visit' }).expect(201);
      const response = await request(server.url).get('/api/sync/files/checksums?path=instance').set(auth);
      expect(response.status).toBe(200);
      const paths = (response.body as { files: Array<{ path: string }> }).files.map((file) => file.path);
      expect(paths).toEqual(['settings.json']);
    }
    expect(existsSync(path.join(dataDir, 'instance', 'app.db-wal'))).toBe(true);
  });

  it('answers 403 to an upload of the live database file, by name', async () => {
    const bytes = readFileSync(path.join(dataDir, 'instance', 'app.db'));
    const response = await request(server.url).post('/api/sync/files/upload').set(auth).attach('file', bytes, 'app.db');
    expect(response.status).toBe(403);
    expect(response.body).toMatchObject({ error: { code: 'DB_FILE_REFUSED' } });
  });

  it('answers 403 to an upload of the live database file renamed', async () => {
    const bytes = readFileSync(path.join(dataDir, 'instance', 'app.db'));
    const response = await request(server.url).post('/api/sync/files/upload').set(auth).attach('file', bytes, 'backup.bin');
    expect(response.status).toBe(403);
    expect(response.body).toMatchObject({ error: { code: 'DB_CONTENT_REFUSED' } });
  });

  it.each(['app.db', 'app.db-wal', 'app.db-shm'])('answers 403 to a download of instance/%s', async (name) => {
    const response = await request(server.url).get(`/api/sync/files/download?path=instance/${name}`).set(auth);
    expect(response.status).toBe(403);
    expect(response.body).toMatchObject({ error: { code: 'DB_FILE_REFUSED' } });
  });
});
