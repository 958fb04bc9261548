import { readFileSync, symlinkSync } from 'node:fs';
import path from 'node:path';
import express from 'express';
import request from 'supertest';
import { createFilePolicy } from '../../lib/files/file-policy';
import { ManifestCache } from '../../lib/files/manifest-cache';
import { resolveSyncRoots } from '../../lib/files/sync-roots';
import { syncRoot } from '../../lib/peers/file-exchange';
import { FileSyncState } from '../../lib/peers/file-sync-state';
import { PeerHttp } from '../../lib/peers/peer-http';
import { startFilesServer, type FilesServer } from '../helpers/files-server';
import { makeRoots, tempFilesUnder, treeDigest } from '../helpers/file-roots';
import { multipart } from '../helpers/multipart';
import { startServer, TEST_TOKEN } from '../helpers/server';
import { tempDir } from '../helpers/temp';

const AUTH = { Authorization: `Bearer ${TEST_TOKEN}` };
const SECRET = 'the-kept-sync-token-0123456789abcdef';

/** A refusal's `{ error: { code, message } }`. */
type Refusal = { error: { code: string; message: string } };

/** Copies an editor or a person leaves beside `DATA_DIR/.sync-token`, each holding the token. */
const COPIES = [
  'event-b/.sync-token.bak',
  'event-b/.sync-token~',
  'event-b/.sync-token.swp',
  'event-b/.sync-token.orig',
  'event-b/.sync-token.old',
  'event-b/.#.sync-token',
  'event-b/#.sync-token#',
  'event-b/.sync-token.tmp',
  'event-b/.sync-token.~1~',
  'deeper/still/.SYNC-TOKEN.BAK',
  'event-b/.Sync-Token-old',
  'event-b/.sync-token copy',
];

/** Names that only look alike: they sync as any file does. */
const NOT_COPIES = ['event-b/sync-token.txt', 'event-b/.sync-tokens', 'event-b/my.sync-token', 'event-b/.sync-state.json', 'event-b/notes.sync-token.md'];

/**
 * `.sync-token` is refused by name (left out of manifests, 403 `DB_FILE_REFUSED`), but a backup or an
 * editor's leftover of it (`.sync-token.bak`, `.sync-token~`, `.sync-token.swp`, `.#.sync-token` …) holds
 * the same secret and synced as an ordinary file: listed, served by a download, replaced by an upload.
 */
describe('copies of a .sync-token inside a sync root never sync', () => {
  let files: FilesServer;
  beforeEach(async () => {
    files = await startFilesServer(Object.fromEntries([...COPIES, ...NOT_COPIES, 'event-b/.sync-token'].map((name) => [name, `${SECRET}\n`])));
  });
  afterEach(async () => {
    await files.close();
  });

  it('the file policy refuses each by name, in any case and folder, and not the names that only look alike', () => {
    const policy = createFilePolicy();
    for (const name of COPIES) expect([name, policy.isDatabaseName(name)]).toEqual([name, true]);
    for (const name of COPIES) expect([name, policy.isDatabaseName(`a/${path.basename(name).toUpperCase()}`)]).toEqual([name, true]);
    for (const name of NOT_COPIES) expect([name, policy.isDatabaseName(name)]).toEqual([name, false]);
  });

  it('none is in the manifest; the look-alikes are', async () => {
    const answer = await request(files.server.url).get('/api/sync/files/checksums?path=uploads').set(AUTH).expect(200);
    const listed = (answer.body as { files: Array<{ path: string }> }).files.map((file) => file.path).sort();
    expect(listed).toEqual([...NOT_COPIES].sort());
  });

  it.each(COPIES)('a download of %s is refused with 403 DB_FILE_REFUSED naming it a copy of .sync-token, no byte of the token sent', async (name) => {
    const answer = await request(files.server.url).get(`/api/sync/files/download?path=${encodeURIComponent(`uploads/${name}`)}`).set(AUTH);
    expect(answer.status).toBe(403);
    expect((answer.body as Refusal).error.code).toBe('DB_FILE_REFUSED');
    expect((answer.body as Refusal).error.message).toContain('is named as a copy of .sync-token (a backup, or an editor');
    expect(JSON.stringify(answer.body)).not.toContain(SECRET);
  });

  it.each([
    ['?path=uploads/event-b/.sync-token.bak', 'x.txt'],
    ['?path=uploads/event-b/.sync-token~', 'x.txt'],
    ['?path=uploads/new/.sync-token.swp', 'x.txt'],
    ['', '.sync-token.orig'],
  ])('an upload (query %j, file name %j) is refused with 403 DB_FILE_REFUSED and nothing is written', async (query, filename) => {
    const before = treeDigest(files.uploads);
    const { body, contentType } = multipart([{ name: 'file', filename, content: 'attacker-chosen-token-0123456789\n' }]);
    const answer = await request(files.server.url).post(`/api/sync/files/upload${query}`).set(AUTH).set('Content-Type', contentType).send(body);
    expect(answer.status).toBe(403);
    expect((answer.body as Refusal).error.code).toBe('DB_FILE_REFUSED');
    expect(treeDigest(files.uploads)).toBe(before);
    expect(tempFilesUnder(files.uploads)).toEqual([]);
    expect(readFileSync(path.join(files.uploads, 'event-b', '.sync-token.bak'), 'utf8')).toBe(`${SECRET}\n`);
  });

  it('a download through a symbolic link to one is refused, its message saying what it leads to', async () => {
    symlinkSync(path.join('event-b', '.sync-token~'), path.join(files.uploads, 'token.txt'));
    const answer = await request(files.server.url).get('/api/sync/files/download?path=uploads/token.txt').set(AUTH);
    expect(answer.status).toBe(403);
    expect((answer.body as Refusal).error.code).toBe('DB_FILE_REFUSED');
    expect((answer.body as Refusal).error.message).toContain('leads through a symbolic link to uploads/event-b/.sync-token~, a copy of .sync-token');
    expect(JSON.stringify(answer.body)).not.toContain(SECRET);
  });
});

describe('a peer of an older version that lists a copy of a .sync-token', () => {
  it('has its listing of that root refused (PEER_LISTED_DATABASE) naming it a copy of a sync token file; nothing written', async () => {
    const temp = tempDir('ess-ap3-old-peer-');
    const here = makeRoots(path.join(temp.dir, 'here'));
    const older = express();
    older.get('/api/sync/files/checksums', (_req, res) => {
      res.json({ root: 'uploads', path: '', files: [{ path: 'event-b/.sync-token.bak', size: 37, mtimeMs: 0, sha256: 'a'.repeat(64) }] });
    });
    const fake = await startServer(older);
    const peer = new PeerHttp({ url: `${fake.url}/api/sync`, token: TEST_TOKEN });
    try {
      const before = treeDigest(path.join(temp.dir, 'here'));
      const state = await FileSyncState.load(path.join(temp.dir, 'state', 'files.json'));
      const local = { roots: resolveSyncRoots(here), policy: createFilePolicy(), cache: new ManifestCache() };
      const failing = syncRoot(local, { peer, remoteSiteId: 'f00d', state, now: () => new Date() }, 'uploads');
      await expect(failing).rejects.toMatchObject({ code: 'PEER_LISTED_DATABASE', status: 502 });
      await expect(failing).rejects.toThrow(/^the peer listed uploads\/event-b\/\.sync-token\.bak, a copy of a sync token file /);
      expect(treeDigest(path.join(temp.dir, 'here'))).toBe(before);
    } finally {
      await fake.close();
      temp.cleanup();
    }
  });
});
