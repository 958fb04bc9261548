import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import path from 'node:path';
import type express from 'express';
import request from 'supertest';
import { makeRoots, put } from '../helpers/file-roots';
import { makeApp, TEST_TOKEN } from '../helpers/server';
import { tempDir } from '../helpers/temp';

const AUTH = { Authorization: `Bearer ${TEST_TOKEN}` };

/**
 * A file in a folder named like a database (`uploads/app.db/readme.txt`, `uploads/x.sqlite/notes.txt`) is refused on
 * purpose: a folder under a database's name (or its -journal's, -wal's) keeps SQLite from opening that database, so
 * such a folder is never made, entered or synced (the manifest reports it: ae1-database-folder-reported). But the
 * upload and download refusals said "<path> is an SQLite database file name" of readme.txt, which is none, leaving
 * the operator looking for a database. They now name the folder as the reason and say to rename it (worded for the database file itself too: ae1-database-folder-beside-live-wal).
 */
describe('ap4: a file in a folder named like a database is refused naming the folder', () => {
  let temp: ReturnType<typeof tempDir>;
  let roots: Record<string, string>;
  let app: express.Express;
  beforeEach(() => {
    temp = tempDir('ess-ap4-db-folder-');
    roots = makeRoots(path.join(temp.dir, 'data'));
    put(roots.uploads ?? '', 'x.sqlite/notes.txt', 'notes put there by hand');
    put(roots.uploads ?? '', 'pit/x.lock/notes.txt', 'notes');
    put(roots.uploads ?? '', 'fine/photo.jpg', 'a photo');
    app = makeApp({ roots, uploadRoot: 'uploads' });
  });
  afterEach(() => temp.cleanup());

  const FOLDER_WHY = /^uploads\/(.+) is under uploads\/(.+), whose name is an SQLite database's \(or one of its side files'\): .*If it is a folder of files to sync, rename it/;

  it.each([
    ['app.db/readme.txt', 'app.db'],
    ['store.db-journal/a.txt', 'store.db-journal'],
    ['deep/Scouting.DB/photos/robot.jpg', 'deep/Scouting.DB'],
  ])('an upload to uploads/%s is 403 naming the folder uploads/%s, and nothing is written', async (relative, folder) => {
    const answer = await request(app).post(`/api/sync/files/upload?path=${encodeURIComponent(`uploads/${relative}`)}`).set(AUTH).attach('file', Buffer.from('hello'), 'readme.txt');
    expect(answer.status).toBe(403);
    expect(answer.body).toEqual({ error: { code: 'DB_FILE_REFUSED', message: expect.stringMatching(FOLDER_WHY) as unknown } });
    expect((answer.body as { error: { message: string } }).error.message).toContain(`is under uploads/${folder},`);
    expect(readdirSync(roots.uploads ?? '').sort()).toEqual(['fine', 'pit', 'x.sqlite']);
  });

  it('a download of uploads/x.sqlite/notes.txt is 403 naming the folder', async () => {
    const answer = await request(app).get('/api/sync/files/download?path=uploads/x.sqlite/notes.txt').set(AUTH);
    expect(answer.status).toBe(403);
    expect(answer.body).toEqual({ error: { code: 'DB_FILE_REFUSED', message: expect.stringMatching(FOLDER_WHY) as unknown } });
    expect((answer.body as { error: { message: string } }).error.message).toContain('is under uploads/x.sqlite,');
  });

  it('a download in a *.lock folder names the folder as a lock', async () => {
    const answer = await request(app).get('/api/sync/files/download?path=uploads/pit/x.lock/notes.txt').set(AUTH);
    expect(answer.status).toBe(403);
    expect(answer.body).toEqual({ error: { code: 'DB_FILE_REFUSED', message: expect.stringMatching(/^uploads\/pit\/x\.lock\/notes\.txt is under uploads\/pit\/x\.lock, named \*\.lock as tools name their locks: .*rename it$/) as unknown } });
  });

  it('the listing leaves the folder out and /status reports it (kept: such a folder is never synced)', async () => {
    const listing = (await request(app).get('/api/sync/files/checksums?path=uploads').set(AUTH).expect(200)).body as { files: Array<{ path: string }> };
    expect(listing.files.map((file) => file.path)).toEqual(['fine/photo.jpg']);
    const status = (await request(app).get('/api/sync/status').set(AUTH).expect(200)).body as { fileNameProblems: Array<{ root: string; unsyncable: Array<{ path: string }> }> };
    expect(status.fileNameProblems.find((entry) => entry.root === 'uploads')?.unsyncable.map((entry) => entry.path)).toEqual(['pit/x.lock', 'x.sqlite']);
  });

  it('a file itself named like a database keeps its own wording (control)', async () => {
    mkdirSync(path.join(roots.uploads ?? '', 'sub'));
    const answer = await request(app).post('/api/sync/files/upload?path=uploads/sub/app.db').set(AUTH).attach('file', Buffer.from('hello'), 'app.db');
    expect(answer.status).toBe(403);
    expect((answer.body as { error: { message: string } }).error.message).toBe('uploads/sub/app.db is an SQLite database file name; databases sync as data, never as files');
    expect(existsSync(path.join(roots.uploads ?? '', 'sub', 'app.db'))).toBe(false);
  });
});
