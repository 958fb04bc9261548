import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import request from 'supertest';
import type express from 'express';
import { makeRoots, put, tempFilesUnder } from '../helpers/file-roots';
import { makeApp, TEST_TOKEN } from '../helpers/server';
import { tempDir } from '../helpers/temp';

const sha = (content: string | Buffer): string => createHash('sha256').update(content).digest('hex');
const AUTH = { Authorization: `Bearer ${TEST_TOKEN}` };

describe('file routes', () => {
  let temp: ReturnType<typeof tempDir>;
  let roots: Record<string, string>;
  let app: express.Express;

  beforeEach(() => {
    temp = tempDir();
    roots = makeRoots(path.join(temp.dir, 'data'));
    put(roots.config ?? '', 'event.json', '{"name":"regional"}');
    put(roots.config ?? '', 'teams/254.json', '{"team":254}');
    app = makeApp({ roots });
  });
  afterEach(() => temp.cleanup());

  it('lists checksums of a root and of a folder in it', async () => {
    const all = await request(app).get('/api/sync/files/checksums?path=config').set(AUTH);
    expect(all.status).toBe(200);
    expect(all.body).toMatchObject({ root: 'config', path: '' });
    expect((all.body as { files: Array<{ path: string; sha256: string }> }).files.map((file) => [file.path, file.sha256])).toEqual([
      ['event.json', sha('{"name":"regional"}')],
      ['teams/254.json', sha('{"team":254}')],
    ]);
    const folder = await request(app).get('/api/sync/files/checksums?path=config/teams').set(AUTH);
    expect((folder.body as { files: Array<{ path: string }> }).files.map((file) => file.path)).toEqual(['teams/254.json']);
  });

  it('uploads a new file (201), replaces it (200), and creates folders', async () => {
    const created = await request(app).post('/api/sync/files/upload?path=uploads/pits/254/robot.jpg').set(AUTH).attach('file', Buffer.from('jpeg v1'), 'robot.jpg');
    expect(created.status).toBe(201);
    expect(created.body).toEqual({ path: 'uploads/pits/254/robot.jpg', size: 7, sha256: sha('jpeg v1'), replaced: false });
    const replaced = await request(app)
      .post('/api/sync/files/upload?path=uploads/pits/254/robot.jpg')
      .set(AUTH)
      .field('sha256', sha('jpeg v2'))
      .attach('file', Buffer.from('jpeg v2'), 'robot.jpg');
    expect(replaced.status).toBe(200);
    expect(replaced.body).toMatchObject({ replaced: true, sha256: sha('jpeg v2') });
    expect(readFileSync(path.join(roots.uploads ?? '', 'pits/254/robot.jpg'), 'utf8')).toBe('jpeg v2');
    expect(tempFilesUnder(roots.uploads ?? '')).toEqual([]);
  });

  it('accepts a sha256 sent before the file or in the query', async () => {
    const fieldFirst = await request(app).post('/api/sync/files/upload?path=config/a.txt').set(AUTH).field('sha256', sha('aaa')).attach('file', Buffer.from('aaa'), 'a.txt');
    expect(fieldFirst.status).toBe(201);
    const inQuery = await request(app).post(`/api/sync/files/upload?path=config/b.txt&sha256=${sha('bbb').toUpperCase()}`).set(AUTH).attach('file', Buffer.from('bbb'), 'b.txt');
    expect(inQuery.status).toBe(201);
  });

  it('puts an upload without ?path= into the uploads root under its original name', async () => {
    const response = await request(app).post('/api/sync/files/upload').set(AUTH).attach('file', Buffer.from('scouting notes'), 'notes.txt');
    expect(response.status).toBe(201);
    expect(response.body).toMatchObject({ path: 'uploads/notes.txt' });
    expect(readFileSync(path.join(roots.uploads ?? '', 'notes.txt'), 'utf8')).toBe('scouting notes');
  });

  it('strips client folders from the original name', async () => {
    const response = await request(app).post('/api/sync/files/upload').set(AUTH).attach('file', Buffer.from('x'), '../../escape.txt');
    expect(response.status).toBe(201);
    expect(response.body).toMatchObject({ path: 'uploads/escape.txt' });
  });

  it('downloads with the sha256 as a strong ETag, answers 304 when fresh, and serves ranges', async () => {
    const full = await request(app).get('/api/sync/files/download?path=config/event.json').set(AUTH).buffer(true).parse((res, callback) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => callback(null, Buffer.concat(chunks)));
    });
    expect(full.status).toBe(200);
    expect((full.body as Buffer).toString()).toBe('{"name":"regional"}');
    expect(full.headers.etag).toBe(`"${sha('{"name":"regional"}')}"`);
    expect(full.headers['x-content-sha256']).toBe(sha('{"name":"regional"}'));
    expect(full.headers['content-type']).toBe('application/octet-stream');
    expect(full.headers['x-content-type-options']).toBe('nosniff');

    const fresh = await request(app).get('/api/sync/files/download?path=config/event.json').set(AUTH).set('If-None-Match', full.headers.etag ?? '');
    expect(fresh.status).toBe(304);

    const range = await request(app).get('/api/sync/files/download?path=config/event.json').set(AUTH).set('Range', 'bytes=2-5');
    expect(range.status).toBe(206);
    expect(range.headers['content-range']).toBe('bytes 2-5/19');
    expect(Buffer.from(range.body as Buffer).toString()).toBe('name');
  });

  it('honours If-Range: a range of the same version (its ETag) is 206; another version, a weak tag or a date get the whole file (200)', async () => {
    const url = '/api/sync/files/download?path=config/event.json';
    const etag = `"${sha('{"name":"regional"}')}"`;
    const same = await request(app).get(url).set(AUTH).set('Range', 'bytes=2-5').set('If-Range', etag);
    expect(same.status).toBe(206);
    for (const stale of [`"${'0'.repeat(64)}"`, `W/${etag}`, 'Tue, 01 Jan 2030 00:00:00 GMT']) {
      const whole = await request(app).get(url).set(AUTH).set('Range', 'bytes=2-5').set('If-Range', stale);
      expect(whole.status).toBe(200);
      expect(whole.headers['content-range']).toBeUndefined();
      expect(Buffer.from(whole.body as Buffer).toString()).toBe('{"name":"regional"}');
    }
    // A date is weak (a file replaced within the same second keeps it): never trusted for a range.
    const modified = (await request(app).head(url).set(AUTH)).headers['last-modified'] ?? '';
    expect((await request(app).get(url).set(AUTH).set('Range', 'bytes=2-5').set('If-Range', modified)).status).toBe(200);
  });

  it('downloads an empty file', async () => {
    put(roots.config ?? '', 'empty.txt', '');
    const response = await request(app).get('/api/sync/files/download?path=config/empty.txt').set(AUTH);
    expect(response.status).toBe(200);
    expect(response.headers['content-length']).toBe('0');
    expect(response.headers.etag).toBe(`"${sha('')}"`);
  });

  it('answers unknown sync endpoints with a JSON 404', async () => {
    const response = await request(app).get('/api/sync/nothing-here').set(AUTH);
    expect(response.status).toBe(404);
    expect(response.body).toMatchObject({ error: { code: 'NOT_FOUND' } });
  });

  it('answers a URL over 14 KiB with 414 URI_TOO_LONG, and takes the longest file path percent-encoded', async () => {
    const long = await request(app).get(`/api/sync/files/download?path=config/${'a'.repeat(15 * 1024)}`).set(AUTH);
    expect(long.status).toBe(414);
    expect(long.body).toEqual({ error: { code: 'URI_TOO_LONG', message: expect.any(String) } });
    const widest = encodeURIComponent(`config/${'é'.repeat(500)}`); // 1,000 bytes of UTF-8, 3,000 characters encoded
    expect((await request(app).get(`/api/sync/files/download?path=${widest}`).set(AUTH)).status).not.toBe(414);
  });

  it('uploads only when if_match holds, and deletes a file only when it is unchanged', async () => {
    const current = sha('{"name":"regional"}');
    const replaced = await request(app).post(`/api/sync/files/upload?path=config/event.json&if_match=${current}`).set(AUTH).attach('file', Buffer.from('{"name":"worlds"}'), 'event.json');
    expect(replaced.status).toBe(200);
    const created = await request(app).post('/api/sync/files/upload?path=config/new.json&if_match=none').set(AUTH).attach('file', Buffer.from('{}'), 'new.json');
    expect(created.status).toBe(201);
    const deleted = await request(app).delete(`/api/sync/files?path=config/event.json&if_match=${sha('{"name":"worlds"}')}`).set(AUTH);
    expect(deleted.status).toBe(200);
    expect(deleted.body).toEqual({ path: 'config/event.json', deleted: true });
    const listing = await request(app).get('/api/sync/files/checksums?path=config').set(AUTH);
    expect((listing.body as { files: Array<{ path: string }> }).files.map((file) => file.path)).toEqual(['new.json', 'teams/254.json']);
  });
});
