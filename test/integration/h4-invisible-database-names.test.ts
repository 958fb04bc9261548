import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import request from 'supertest';
import { makeRoots, put, tempFilesUnder, treeDigest } from '../helpers/file-roots';
import { makeApp, TEST_TOKEN } from '../helpers/server';
import { tempDir } from '../helpers/temp';

const AUTH = { Authorization: `Bearer ${TEST_TOKEN}` };

/**
 * A database name made invisible (a zero-width space, a BOM, a word joiner, a
 * bidi mark or another default-ignorable code point after `.db`; a trailing dot
 * or space as Windows strips them) was an ordinary file: uploaded, listed and
 * served. Now each is refused like the database name it shows as (403
 * DB_FILE_REFUSED) before a byte is written, left out of the listing, never
 * served; the message shows the hidden character escaped.
 */
describe('database names made invisible are refused like database names', () => {
  let temp: ReturnType<typeof tempDir>;
  let roots: Record<string, string>;
  beforeEach(() => {
    temp = tempDir('ess-h4-invisible-');
    roots = makeRoots(temp.dir);
  });
  afterEach(() => temp.cleanup());

  const HIDDEN: readonly (readonly [string, string])[] = [
    ['a zero-width space', 'x.db\u200b'],
    ['a BOM', 'x.db\ufeff'],
    ['a word joiner', 'x.db\u2060'],
    ['a left-to-right mark', 'x.db\u200e'],
    ['a right-to-left override', 'x.db\u202e'],
    ['a soft hyphen inside the extension', 'x.d\u00adb'],
    ['a zero-width joiner before -wal', 'app.sqlite\u200d-wal'],
    ['a variation selector', 'x.sqlite3\ufe0f'],
  ];

  it.each(HIDDEN)('upload by ?path= with %s: 403, nothing written', async (_what, name) => {
    const before = treeDigest(temp.dir);
    const res = await request(makeApp({ roots })).post(`/api/sync/files/upload?path=${encodeURIComponent(`uploads/${name}`)}`).set(AUTH).attach('file', Buffer.from('plain text'), 'a.txt');
    expect(res.status).toBe(403);
    expect(res.body.error.code).toBe('DB_FILE_REFUSED');
    expect(res.body.error.message).toMatch(/\\u[0-9a-f]{4}/); // the hidden character is shown, escaped
    expect(res.body.error.message).not.toContain(name);
    expect(treeDigest(temp.dir)).toBe(before);
    expect(tempFilesUnder(temp.dir)).toEqual([]);
  });

  it.each(HIDDEN)('upload by file name with %s: 403, nothing written', async (_what, name) => {
    const before = treeDigest(temp.dir);
    const res = await request(makeApp({ roots })).post('/api/sync/files/upload').set(AUTH).attach('file', Buffer.from('plain text'), name);
    expect(res.status).toBe(403);
    expect(res.body.error.code).toBe('DB_FILE_REFUSED');
    expect(treeDigest(temp.dir)).toBe(before);
  });

  it.each(HIDDEN)('download and delete of a file on disk with %s: 403, the file kept', async (_what, name) => {
    const file = put(roots.uploads ?? '', name, 'on disk');
    const app = makeApp({ roots });
    const download = await request(app).get(`/api/sync/files/download?path=${encodeURIComponent(`uploads/${name}`)}`).set(AUTH);
    expect([download.status, download.body.error?.code]).toEqual([403, 'DB_FILE_REFUSED']);
    const removal = await request(app).delete(`/api/sync/files?path=${encodeURIComponent(`uploads/${name}`)}`).set(AUTH);
    expect([removal.status, removal.body.error?.code]).toEqual([403, 'DB_FILE_REFUSED']);
    expect(existsSync(file)).toBe(true);
  });

  it('the listing leaves each of them out, and a folder named so with what it holds', async () => {
    for (const [, name] of HIDDEN) put(roots.uploads ?? '', name, 'on disk');
    put(roots.uploads ?? '', 'store.db\u200b/inside.txt', 'inside');
    put(roots.uploads ?? '', 'notes \u200b.txt', 'an ordinary name with an invisible character: kept');
    const res = await request(makeApp({ roots })).get('/api/sync/files/checksums?path=uploads').set(AUTH);
    expect(res.status).toBe(200);
    expect((res.body.files as { path: string }[]).map((file) => file.path)).toEqual(['notes \u200b.txt']);
    expect(readdirSync(roots.uploads ?? '')).toHaveLength(HIDDEN.length + 2); // nothing removed
  });

  it.each([
    ['a trailing dot', 'x.db.'],
    ['a trailing space', 'x.db '],
    ['dots and spaces', 'app.sqlite. .'],
    ['a trailing dot after a zero-width space', 'x.db\u200b.'],
  ])('a path with %s is 403 DB_FILE_REFUSED (it was 400 BAD_PATH) on upload, download and delete', async (_what, name) => {
    const app = makeApp({ roots });
    const encoded = encodeURIComponent(`uploads/${name}`);
    const upload = await request(app).post(`/api/sync/files/upload?path=${encoded}`).set(AUTH).attach('file', Buffer.from('plain text'), 'a.txt');
    const download = await request(app).get(`/api/sync/files/download?path=${encoded}`).set(AUTH);
    const removal = await request(app).delete(`/api/sync/files?path=${encoded}`).set(AUTH);
    for (const res of [upload, download, removal]) expect([res.status, res.body.error?.code]).toEqual([403, 'DB_FILE_REFUSED']);
    expect(readdirSync(roots.uploads ?? '')).toEqual([]);
  });

  it('a name with a trailing dot that is no database stays 400 BAD_PATH', async () => {
    const res = await request(makeApp({ roots })).get('/api/sync/files/download?path=uploads/notes.').set(AUTH);
    expect([res.status, res.body.error?.code]).toEqual([400, 'BAD_PATH']);
  });
});

/** A path refused by a pattern the operator configured is said to be refused by that pattern, not to be an SQLite database. */
describe('a path refused by extraDatabasePatterns names the pattern', () => {
  let temp: ReturnType<typeof tempDir>;
  let roots: Record<string, string>;
  beforeEach(() => {
    temp = tempDir('ess-h4-pattern-');
    roots = makeRoots(temp.dir);
  });
  afterEach(() => temp.cleanup());

  it('on download, upload and delete, with the pattern quoted and the path escaped', async () => {
    put(roots.uploads ?? '', 'secrets/key.txt', 'the key');
    const app = makeApp({ roots, extraDatabasePatterns: ['*.bak', 'secrets/**'] });
    const answers = [
      await request(app).get('/api/sync/files/download?path=uploads/secrets/key.txt').set(AUTH),
      await request(app).post('/api/sync/files/upload?path=uploads/secrets/new.txt').set(AUTH).attach('file', Buffer.from('x'), 'new.txt'),
      await request(app).delete('/api/sync/files?path=uploads/secrets/key.txt').set(AUTH),
    ];
    for (const res of answers) {
      expect([res.status, res.body.error?.code]).toEqual([403, 'DB_FILE_REFUSED']);
      expect(res.body.error.message).toContain('"secrets/**"');
      expect(res.body.error.message).toContain('extraDatabasePatterns');
      expect(res.body.error.message).not.toMatch(/SQLite database/);
    }
    const hostile = await request(app).get(`/api/sync/files/download?path=${encodeURIComponent('uploads/secrets/\u202ekey.txt')}`).set(AUTH);
    expect(hostile.status).toBe(403);
    expect(hostile.body.error.message).not.toContain('\u202e');
    expect(hostile.body.error.message).toContain('\\u202e');
  });

  it('an upload by file name names the pattern too', async () => {
    const res = await request(makeApp({ roots, extraDatabasePatterns: ['*.bak'] })).post('/api/sync/files/upload').set(AUTH).attach('file', Buffer.from('x'), 'old.bak');
    expect([res.status, res.body.error?.code]).toEqual([403, 'DB_FILE_REFUSED']);
    expect(res.body.error.message).toContain('"*.bak"');
  });

  it('a built-in database name keeps its own message', async () => {
    const res = await request(makeApp({ roots, extraDatabasePatterns: ['**'] })).get('/api/sync/files/download?path=uploads/app.db').set(AUTH);
    expect(res.body.error.message).toMatch(/SQLite database file name/);
  });

  it('a pattern is not evaded by an invisible character', async () => {
    put(roots.uploads ?? '', 'secrets\u200b/key.txt', 'the key');
    const res = await request(makeApp({ roots, extraDatabasePatterns: ['secrets/**'] })).get(`/api/sync/files/download?path=${encodeURIComponent('uploads/secrets\u200b/key.txt')}`).set(AUTH);
    expect([res.status, res.body.error?.code]).toEqual([403, 'DB_FILE_REFUSED']);
    expect(path.basename(roots.uploads ?? '')).toBe('uploads');
  });
});
