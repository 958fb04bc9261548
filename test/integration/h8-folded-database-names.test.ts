import { existsSync, readdirSync } from 'node:fs';
import request from 'supertest';
import { createFilePolicy } from '../../lib/files/file-policy';
import { makeRoots, put, SQLITE_BYTES, tempFilesUnder, treeDigest } from '../helpers/file-roots';
import { makeApp, TEST_TOKEN } from '../helpers/server';
import { tempDir } from '../helpers/temp';

const AUTH = { Authorization: `Bearer ${TEST_TOKEN}` };

/**
 * A database name disguised by Unicode case folding or a compatibility form
 * (`app.ſqlite` with a long s, `app.ｄb` with a fullwidth letter, a dotless i,
 * a Kelvin sign, a combining mark over a letter) was an ordinary file:
 * uploaded, listed, served. A case-insensitive or normalising file system
 * (macOS, Windows) or a person reads it as the database name. Now each is
 * refused like that name, 403 DB_FILE_REFUSED, before a byte is written;
 * ordinary non-ASCII names still travel.
 */
describe('database names disguised by case folding or compatibility forms', () => {
  let temp: ReturnType<typeof tempDir>;
  let roots: Record<string, string>;
  beforeEach(() => {
    temp = tempDir('ess-h8-folded-');
    roots = makeRoots(temp.dir);
  });
  afterEach(() => temp.cleanup());

  /** Names in NFC (a route takes them as paths), each a database name once folded. */
  const DISGUISED: readonly (readonly [string, string])[] = [
    ['a long s (U+017F)', 'app.\u017fqlite'],
    ['a long s before -wal', 'notes.\u017fqlite3-wal'],
    ['a fullwidth d (U+FF44)', 'app.\uff44b'],
    ['fullwidth capitals', 'APP.\uff24\uff22'],
    ['a fullwidth s and 3', 'x.\uff53\uff13db'],
    ['a dotless i (U+0131)', 'x.sql\u0131te'],
    ['a combining acute over the b', 'app.db\u0301'],
    ['a precomposed i with diaeresis', 'x.sql\u00efte3'],
    ['a mathematical bold d', 'x.\u{1d41d}b'],
    ['a circled letter', 'x.\u24d3b'],
  ];

  it.each(DISGUISED)('upload by ?path= with %s: 403 DB_FILE_REFUSED, nothing written', async (_what, name) => {
    const before = treeDigest(temp.dir);
    const res = await request(makeApp({ roots })).post(`/api/sync/files/upload?path=${encodeURIComponent(`uploads/${name}`)}`).set(AUTH).attach('file', Buffer.from('plain text'), 'a.txt');
    expect([res.status, res.body.error?.code]).toEqual([403, 'DB_FILE_REFUSED']);
    expect(treeDigest(temp.dir)).toBe(before);
    expect(tempFilesUnder(temp.dir)).toEqual([]);
  });

  it.each(DISGUISED)('upload by file name with %s: 403 DB_FILE_REFUSED, nothing written', async (_what, name) => {
    const before = treeDigest(temp.dir);
    const res = await request(makeApp({ roots })).post('/api/sync/files/upload').set(AUTH).attach('file', Buffer.from('plain text'), name);
    expect([res.status, res.body.error?.code]).toEqual([403, 'DB_FILE_REFUSED']);
    expect(treeDigest(temp.dir)).toBe(before);
  });

  it.each(DISGUISED)('download and delete of a file on disk with %s: 403, the file kept', async (_what, name) => {
    const file = put(roots.uploads ?? '', name, 'on disk');
    const app = makeApp({ roots });
    const encoded = encodeURIComponent(`uploads/${name}`);
    const download = await request(app).get(`/api/sync/files/download?path=${encoded}`).set(AUTH);
    expect([download.status, download.body.error?.code]).toEqual([403, 'DB_FILE_REFUSED']);
    const removal = await request(app).delete(`/api/sync/files?path=${encoded}`).set(AUTH);
    expect([removal.status, removal.body.error?.code]).toEqual([403, 'DB_FILE_REFUSED']);
    expect(existsSync(file)).toBe(true);
  });

  it('a folder named so is refused with what it holds, and the listing leaves every one out', async () => {
    for (const [, name] of DISGUISED) put(roots.uploads ?? '', name, 'on disk');
    put(roots.uploads ?? '', 'store.\u017fqlite/inside.txt', 'inside');
    put(roots.uploads ?? '', 'kept.txt', 'an ordinary file');
    const app = makeApp({ roots });
    const res = await request(app).get('/api/sync/files/checksums?path=uploads').set(AUTH);
    expect(res.status).toBe(200);
    expect((res.body.files as { path: string }[]).map((file) => file.path)).toEqual(['kept.txt']);
    const inside = await request(app).get(`/api/sync/files/download?path=${encodeURIComponent('uploads/store.\u017fqlite/inside.txt')}`).set(AUTH);
    expect([inside.status, inside.body.error?.code]).toEqual([403, 'DB_FILE_REFUSED']);
    expect(readdirSync(roots.uploads ?? '')).toHaveLength(DISGUISED.length + 2); // nothing removed
  });

  it.each([
    ['a Kelvin sign (U+212A)', 'x.loc\u212a'],
    ['an i and a combining diaeresis', 'x.sqli\u0308te'],
    ['a d and a combining dot above', 'app.d\u0307b'],
  ])('a path not in NFC with %s is 403 DB_FILE_REFUSED (it was 400 BAD_PATH) on upload, download and delete', async (_what, name) => {
    const app = makeApp({ roots });
    const encoded = encodeURIComponent(`uploads/${name}`);
    const answers = [
      await request(app).post(`/api/sync/files/upload?path=${encoded}`).set(AUTH).attach('file', Buffer.from('plain text'), 'a.txt'),
      await request(app).post('/api/sync/files/upload').set(AUTH).attach('file', Buffer.from('plain text'), name),
      await request(app).get(`/api/sync/files/download?path=${encoded}`).set(AUTH),
      await request(app).delete(`/api/sync/files?path=${encoded}`).set(AUTH),
    ];
    for (const res of answers) expect([res.status, res.body.error?.code]).toEqual([403, 'DB_FILE_REFUSED']);
    expect(readdirSync(roots.uploads ?? '')).toEqual([]);
  });

  it('a path not in NFC that is no database name stays 400 BAD_PATH', async () => {
    const res = await request(makeApp({ roots })).get(`/api/sync/files/download?path=${encodeURIComponent('uploads/cafe\u0301.txt')}`).set(AUTH);
    expect([res.status, res.body.error?.code]).toEqual([400, 'BAD_PATH']);
  });

  it.each([
    ['an accent', 'caf\u00e9.txt'],
    ['an umlaut and a sharp s', '\u00fcber Stra\u00dfe.json'],
    ['CJK', '\u65e5\u672c\u8a9e\u306e\u30e1\u30e2.txt'],
    ['an emoji', '\u{1f4f7} pit photo.jpg'],
    ['a ligature', '\ufb01le.txt'],
    ['a Turkish dotless i', 'kapal\u0131.txt'],
    ['a long s that makes no database name', '\u017ftory.md'],
    ['fullwidth letters that make no database name', '\uff4e\uff4f\uff54\uff45\uff53.txt'],
  ])('an ordinary name with %s still uploads, lists and downloads', async (_what, name) => {
    const app = makeApp({ roots });
    const encoded = encodeURIComponent(`uploads/${name}`);
    const upload = await request(app).post(`/api/sync/files/upload?path=${encoded}`).set(AUTH).attach('file', Buffer.from('the bytes'), 'a.txt');
    expect(upload.status).toBe(201);
    const byName = await request(app).post('/api/sync/files/upload').set(AUTH).attach('file', Buffer.from('the bytes'), name);
    expect(byName.status).toBe(200); // the same path, replaced
    const listing = await request(app).get('/api/sync/files/checksums?path=uploads').set(AUTH);
    expect((listing.body.files as { path: string }[]).map((file) => file.path)).toEqual([name]);
    const download = await request(app).get(`/api/sync/files/download?path=${encoded}`).set(AUTH);
    expect([download.status, Buffer.from(download.body as Buffer).toString()]).toEqual([200, 'the bytes']);
  });

  it('a configured database file name is folded too, and so is an extra pattern', () => {
    const policy = createFilePolicy({ databaseFileNames: ['Scouting.DB'], extraPatterns: ['*.bak'] });
    expect(policy.isDatabaseName('\uff53couting.\u1d48b')).toBe(true); // fullwidth s, modifier small d
    expect(policy.isDatabaseName('old.\u0299ak')).toBe(false); // a small capital B is a letter of its own, not a compatibility form
    expect(policy.isDatabaseName('old.\uff42ak')).toBe(true);
    expect(policy.isDatabaseName('photos/\uff4e\uff4f\uff54\uff45\uff53.txt')).toBe(false);
  });
});

/**
 * A database found by its content (`store`, no extension) has side files
 * `store-wal`, `store-shm`, `store-journal`; on a case-insensitive disk
 * `store-ſhm` or a fullwidth `store-ＷＡＬ` may be the same file. They were
 * taken as ordinary names; now they are that database's side files.
 */
describe('side files of a database found by its content, named with folded letters', () => {
  let temp: ReturnType<typeof tempDir>;
  let roots: Record<string, string>;
  beforeEach(() => {
    temp = tempDir('ess-h8-folded-side-');
    roots = makeRoots(temp.dir);
    put(roots.uploads ?? '', 'store', SQLITE_BYTES);
  });
  afterEach(() => temp.cleanup());

  it.each([
    ['a long s', 'store-\u017fhm'],
    ['fullwidth capitals', 'store-\uff37\uff21\uff2c'],
    ['a combining enclosing circle', 'store-wal\u20dd'],
    ['a folder with a long s', 'store-\u017fhm/x.txt'],
  ])('an upload of one with %s is 403 DB_CONTENT_REFUSED, nothing written', async (_what, name) => {
    const before = treeDigest(temp.dir);
    const res = await request(makeApp({ roots })).post(`/api/sync/files/upload?path=${encodeURIComponent(`uploads/${name}`)}`).set(AUTH).attach('file', Buffer.from('plain text'), 'a.txt');
    expect([res.status, res.body.error?.code]).toEqual([403, 'DB_CONTENT_REFUSED']);
    expect(treeDigest(temp.dir)).toBe(before);
  });

  it('the listing leaves one on disk out, and an ordinary name beside the database still travels', async () => {
    put(roots.uploads ?? '', 'store-\u017fhm', 'on disk');
    put(roots.uploads ?? '', 'store-\u017fhm-notes.txt', 'an ordinary file');
    const app = makeApp({ roots });
    const upload = await request(app).post('/api/sync/files/upload?path=uploads/store-notes.txt').set(AUTH).attach('file', Buffer.from('notes'), 'a.txt');
    expect(upload.status).toBe(201);
    const res = await request(app).get('/api/sync/files/checksums?path=uploads').set(AUTH);
    expect((res.body.files as { path: string }[]).map((file) => file.path)).toEqual(['store-notes.txt', 'store-\u017fhm-notes.txt']);
  });
});
