import { execFileSync } from 'node:child_process';
import { existsSync, linkSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import request from 'supertest';
import type express from 'express';
import { makeApp, TEST_TOKEN } from '../helpers/server';
import { tempDir } from '../helpers/temp';

const AUTH = { Authorization: `Bearer ${TEST_TOKEN}` };

/** Opens, reads and closes the database in another process, as the sqlite3 shell or a script would. */
function readFromAnotherProcess(file: string): void {
  execFileSync(process.execPath, ['-e', `const D = require('better-sqlite3'); const d = new D(${JSON.stringify(file)}); d.prepare('SELECT count(*) FROM notes').get(); d.close();`], {
    cwd: path.resolve(__dirname, '..', '..'),
  });
}

/**
 * POSIX drops every lock a process holds on a file when it closes any
 * descriptor of it: a file route that opened a link to the live database and
 * closed it would leave the server's connection without its locks, and the
 * next process to close its own connection would delete the WAL under it.
 */
describe('links to the live database in a root are never opened', () => {
  let temp: ReturnType<typeof tempDir>;
  let db: Database.Database;
  let file: string;
  let uploads: string;
  let app: express.Express;

  beforeEach(() => {
    temp = tempDir();
    file = path.join(temp.dir, 'instance', 'app.db');
    mkdirSync(path.dirname(file));
    uploads = path.join(temp.dir, 'uploads');
    mkdirSync(uploads);
    db = new Database(file);
    db.pragma('journal_mode = WAL');
    db.exec("CREATE TABLE notes (id TEXT PRIMARY KEY NOT NULL, body TEXT); INSERT INTO notes VALUES ('n1', 'x')");
    app = makeApp({ roots: { uploads, instance: path.dirname(file) }, database: db, tables: ['notes'] });
    linkSync(file, path.join(uploads, 'hard.bin'));
    linkSync(`${file}-shm`, path.join(uploads, 'shm.bin'));
    symlinkSync('app.db', path.join(path.dirname(file), 'link.txt'));
  });
  afterEach(() => {
    db.close();
    temp.cleanup();
  });

  /** The WAL is still there after another process closed its connection, and a write lands in the file others read. */
  function expectLocksKept(): void {
    readFromAnotherProcess(file);
    expect(existsSync(`${file}-wal`)).toBe(true);
    db.prepare("INSERT INTO notes VALUES ('n2', 'after')").run();
    const other = new Database(file, { readonly: true, fileMustExist: true });
    try {
      expect(other.prepare('SELECT count(*) FROM notes').pluck().get()).toBe(2);
    } finally {
      other.close();
    }
  }

  it.each(['uploads/hard.bin', 'uploads/shm.bin'])('download %s: 403 DB_CONTENT_REFUSED, and the server keeps its locks', async (name) => {
    const response = await request(app).get(`/api/sync/files/download?path=${name}`).set(AUTH);
    expect(response.status).toBe(403);
    expect(response.body).toEqual({ error: { code: 'DB_CONTENT_REFUSED', message: expect.any(String) as string } });
    expectLocksKept();
  });

  it.each(['uploads', 'instance'])('a manifest of %s lists none of them, and the server keeps its locks', async (root) => {
    const response = await request(app).get(`/api/sync/files/checksums?path=${root}`).set(AUTH);
    expect(response.status).toBe(200);
    expect((response.body as { files: Array<{ path: string }> }).files).toEqual([]);
    expectLocksKept();
  });

  it('download instance/link.txt (a symlink to app.db beside it): refused, and the server keeps its locks', async () => {
    const response = await request(app).get('/api/sync/files/download?path=instance/link.txt').set(AUTH);
    expect(response.status).toBeGreaterThanOrEqual(400);
    expect(response.status).toBeLessThan(500);
    expectLocksKept();
  });

  it('a symlink to the served-mark file (app.db-syncmark) is neither listed nor served (helper n2: it was, and went to every peer)', async () => {
    await request(app).get('/api/sync/data/changes?since=0').set(AUTH).expect(200); // a served page writes the mark
    expect(existsSync(`${file}-syncmark`)).toBe(true);
    symlinkSync('app.db-syncmark', path.join(path.dirname(file), 'marklink.txt'));
    const listed = await request(app).get('/api/sync/files/checksums?path=instance').set(AUTH).expect(200);
    expect((listed.body as { files: Array<{ path: string }> }).files.map((entry) => entry.path)).not.toContain('marklink.txt');
    const download = await request(app).get('/api/sync/files/download?path=instance/marklink.txt').set(AUTH);
    expect(download.status).toBe(403);
    expect(download.body.error.code).toMatch(/^DB_/);
  });

  it('a hard link to the served-mark file under another name is neither listed nor served (helper am2: it was, { site, seq, mark } to every peer)', async () => {
    mkdirSync(path.join(uploads, 'notes'));
    writeFileSync(path.join(uploads, 'notes', 'a.txt'), 'a note');
    await request(app).get('/api/sync/files/checksums?path=uploads/notes').set(AUTH).expect(200); // the inodes of the live files are read (and kept a while)
    await request(app).get('/api/sync/data/changes?since=0').set(AUTH).expect(200); // a served page writes the mark: a new inode
    linkSync(`${file}-syncmark`, path.join(uploads, 'notes', 'mark.json')); // alone in its folder: no other link makes the inodes read again
    const listed = await request(app).get('/api/sync/files/checksums?path=uploads/notes').set(AUTH).expect(200);
    expect((listed.body as { files: Array<{ path: string }> }).files.map((entry) => entry.path)).toEqual(['notes/a.txt']);
    const download = await request(app).get('/api/sync/files/download?path=uploads/notes/mark.json').set(AUTH);
    expect(download.status).toBe(403);
    expect(download.body).toEqual({ error: { code: 'DB_CONTENT_REFUSED', message: expect.stringMatching(/^mark\.json .*-syncmark/) as string } });
  });
});
