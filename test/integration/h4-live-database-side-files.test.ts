import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import request from 'supertest';
import { multipart } from '../helpers/multipart';
import { makeApp, startServer, TEST_TOKEN, type TestServer } from '../helpers/server';
import { tempDir } from '../helpers/temp';

const AUTH = { Authorization: `Bearer ${TEST_TOKEN}` };

/**
 * The server's own database in a synced folder under a name no rule knows
 * (`instance/store`): its side files are told by the database beside them,
 * which is never opened (live-databases.ts). The served-mark file the server
 * writes beside it (`store-syncmark`) must never travel: a peer's copy
 * written over it would hide a rewind at the next start.
 */
describe('the side files of the live database, named without a database extension', () => {
  let temp: ReturnType<typeof tempDir>;
  let db: Database.Database;
  let server: TestServer;
  let instance: string;
  let store: string;

  beforeEach(async () => {
    temp = tempDir('ess-h4-live-side-');
    instance = path.join(temp.dir, 'instance');
    mkdirSync(instance);
    store = path.join(instance, 'store');
    db = new Database(store);
    db.exec("CREATE TABLE notes (id TEXT PRIMARY KEY NOT NULL, body TEXT); INSERT INTO notes VALUES ('n1', 'x')");
    server = await startServer(makeApp({ roots: { instance }, database: db, tables: ['notes'] }));
    // A peer pulls a page: the server notes the mark it served beside its database.
    await request(server.url).get('/api/sync/data/changes?since=0').set(AUTH).expect(200);
    expect(existsSync(`${store}-syncmark`)).toBe(true);
  });
  afterEach(async () => {
    await server.close();
    db.close();
    temp.cleanup();
  });

  function code(answer: request.Response): [number, string | undefined] {
    return [answer.status, (answer.body as { error?: { code?: string } }).error?.code];
  }

  it('the manifest does not list its served-mark file', async () => {
    const answer = await request(server.url).get('/api/sync/files/checksums?path=instance').set(AUTH).expect(200);
    expect((answer.body as { files: { path: string }[] }).files).toEqual([]);
  });

  it('download of its served-mark file: 403 DB_CONTENT_REFUSED', async () => {
    expect(code(await request(server.url).get('/api/sync/files/download?path=instance/store-syncmark').set(AUTH))).toEqual([403, 'DB_CONTENT_REFUSED']);
  });

  it('upload over its served-mark file, or into a folder under its journal\'s name: 403 DB_CONTENT_REFUSED, nothing written', async () => {
    const before = readFileSync(`${store}-syncmark`, 'utf8');
    for (const target of ['instance/store-syncmark', 'instance/store-journal/keep.txt']) {
      const { body, contentType } = multipart([{ name: 'file', filename: 'keep.txt', content: '{"site":"0","seq":99,"mark":"0"}' }]);
      const answer = await request(server.url).post(`/api/sync/files/upload?path=${encodeURIComponent(target)}`).set(AUTH).set('Content-Type', contentType).send(body);
      expect([target, ...code(answer)]).toEqual([target, 403, 'DB_CONTENT_REFUSED']);
    }
    expect(readFileSync(`${store}-syncmark`, 'utf8')).toBe(before);
    expect(existsSync(`${store}-journal`)).toBe(false);
    db.prepare("INSERT INTO notes VALUES ('n2', 'y')").run(); // its journal can still be made
  });

  it('delete of its served-mark file: 403 DB_CONTENT_REFUSED, the file kept', async () => {
    expect(code(await request(server.url).delete('/api/sync/files?path=instance/store-syncmark').set(AUTH))).toEqual([403, 'DB_CONTENT_REFUSED']);
    expect(existsSync(`${store}-syncmark`)).toBe(true);
  });
});
