import path from 'node:path';
import Database from 'better-sqlite3';
import type express from 'express';
import request from 'supertest';
import { makeRoots, put, treeDigest } from '../helpers/file-roots';
import { multipart } from '../helpers/multipart';
import { makeApp, TEST_TOKEN } from '../helpers/server';
import { tempDir } from '../helpers/temp';

const AUTH = { Authorization: `Bearer ${TEST_TOKEN}` };

/**
 * Paths through a database name where that name is a file on disk: the live
 * database, its -wal and -shm (a WAL-mode server always has them), and a
 * database file a user put in a root. Each used to be 409 PATH_CONFLICT,
 * "runs through a file where a folder is needed", which sends an operator to
 * remove the file in the way: the database's -wal, with its committed rows.
 */
const THROUGH_FILES = ['instance/app.db-wal/x', 'instance/app.db-shm/keep.txt', 'instance/app.db/x.txt', 'uploads/old.sqlite/photo.jpg'] as const;

type Route = 'upload' | 'delete' | 'download' | 'checksums';

async function send(app: express.Express, route: Route, clientPath: string): Promise<request.Response> {
  const query = `path=${encodeURIComponent(clientPath)}`;
  switch (route) {
    case 'upload': {
      const { body, contentType } = multipart([{ name: 'file', filename: 'keep.txt', content: 'harmless text' }]);
      return request(app).post(`/api/sync/files/upload?${query}`).set(AUTH).set('Content-Type', contentType).send(body);
    }
    case 'delete':
      return request(app).delete(`/api/sync/files?${query}`).set(AUTH);
    case 'download':
      return request(app).get(`/api/sync/files/download?${query}`).set(AUTH);
    case 'checksums':
      return request(app).get(`/api/sync/files/checksums?${query}`).set(AUTH);
  }
}

describe('ae1: a path through a database file that exists (a live WAL database beside it)', () => {
  let temp: ReturnType<typeof tempDir>;
  let db: Database.Database;
  let app: express.Express;

  beforeEach(() => {
    temp = tempDir();
    const roots = makeRoots(path.join(temp.dir, 'data'));
    db = new Database(path.join(roots.instance ?? '', 'app.db'));
    db.pragma('journal_mode = WAL');
    db.exec('CREATE TABLE notes (id TEXT PRIMARY KEY, body TEXT)');
    db.prepare('INSERT INTO notes VALUES (?, ?)').run('n1', 'kept in the wal');
    put(roots.uploads ?? '', 'old.sqlite', 'a database file by its name');
    app = makeApp({ roots, uploadRoot: 'uploads' });
  });
  afterEach(() => {
    db.close();
    temp.cleanup();
  });

  const cases = (['upload', 'delete', 'download', 'checksums'] as const).flatMap((route) => THROUGH_FILES.map((clientPath) => [route, clientPath] as const));

  it.each(cases)('%s of %s: 403 DB_FILE_REFUSED naming the path, nothing changed', async (route, clientPath) => {
    const before = treeDigest(path.join(temp.dir, 'data', 'uploads'));
    const response = await send(app, route, clientPath);
    expect(response.status).toBe(403);
    // Named by what is on the way, the database file itself here (ap4-database-named-folder): never "rename the database".
    const through = clientPath.slice(0, clientPath.lastIndexOf('/'));
    expect(response.body).toEqual({ error: { code: 'DB_FILE_REFUSED', message: expect.stringMatching(/whose name is an SQLite database's .*If it is a folder of files to sync, rename it/) as unknown } });
    expect((response.body as { error: { message: string } }).error.message.startsWith(`${clientPath} is under ${through}, `)).toBe(true);
    expect(treeDigest(path.join(temp.dir, 'data', 'uploads'))).toBe(before);
    expect(db.prepare('SELECT body FROM notes').pluck().all()).toEqual(['kept in the wal']);
  });

  it('a path through an ordinary file is still 409 PATH_CONFLICT (control)', async () => {
    put(path.join(temp.dir, 'data', 'uploads'), 'notes.txt', 'a file');
    const response = await send(app, 'download', 'uploads/notes.txt/x');
    expect(response.status).toBe(409);
    expect(response.body).toMatchObject({ error: { code: 'PATH_CONFLICT' } });
  });
});
