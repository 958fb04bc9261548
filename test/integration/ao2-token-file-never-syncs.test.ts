import { readFileSync } from 'node:fs';
import path from 'node:path';
import express from 'express';
import request from 'supertest';
import { createFilePolicy } from '../../lib/files/file-policy';
import { ManifestCache } from '../../lib/files/manifest-cache';
import { resolveSyncRoots } from '../../lib/files/sync-roots';
import { syncRoot } from '../../lib/peers/file-exchange';
import { FileSyncState } from '../../lib/peers/file-sync-state';
import { PeerHttp } from '../../lib/peers/peer-http';
import { readSampleConfig } from '../../sample-app/config';
import { startFilesServer, type FilesServer } from '../helpers/files-server';
import { makeRoots, put, tempFilesUnder, treeDigest } from '../helpers/file-roots';
import { multipart, rawRequest, repeat } from '../helpers/multipart';
import { startServer, TEST_TOKEN } from '../helpers/server';
import { tempDir } from '../helpers/temp';

const AUTH = { Authorization: `Bearer ${TEST_TOKEN}` };

/** A refusal's `{ error: { code, message } }`. */
type Refusal = { error: { code: string; message: string } };

/**
 * A sample app's DATA_DIR placed inside a folder another server syncs (here `uploads/event-b/`, a second
 * app's data folder made under the first app's uploads) put `DATA_DIR/.sync-token` into that sync root: it
 * was listed in the root's manifest, served by a download and replaced by an upload. A file named
 * `.sync-token` is now refused by name wherever it is, as a database name is: left out of manifests,
 * 403 `DB_FILE_REFUSED` to a download and to an upload (before its body is read).
 */
describe('a .sync-token file inside a sync root never syncs', () => {
  let files: FilesServer;
  let tokenFile: string;
  beforeEach(async () => {
    files = await startFilesServer({ 'event-b/notes.txt': 'notes' });
    // A real sample app's first start with its DATA_DIR in the served uploads root: it writes its generated token there.
    const config = readSampleConfig({ DATA_DIR: path.join(files.uploads, 'event-b'), PORT: '0' });
    expect(config.tokenSource).toBe('generated');
    tokenFile = path.join(files.uploads, 'event-b', '.sync-token');
    put(files.uploads, 'deeper/.SYNC-TOKEN', 'another-secret-token-0123456789');
  });
  afterEach(async () => {
    await files.close();
  });

  it('is left out of the manifest of its root and of its folder', async () => {
    for (const folder of ['uploads', 'uploads/event-b', 'uploads/deeper']) {
      const answer = await request(files.server.url).get(`/api/sync/files/checksums?path=${folder}`).set(AUTH).expect(200);
      const listed = (answer.body as { files: Array<{ path: string }> }).files.map((file) => file.path);
      expect(listed.filter((file) => /\.sync-token$/i.test(file))).toEqual([]);
    }
    const root = await request(files.server.url).get('/api/sync/files/checksums?path=uploads').set(AUTH).expect(200);
    expect((root.body as { files: Array<{ path: string }> }).files.map((file) => file.path)).toContain('event-b/notes.txt');
  });

  it.each([['uploads/event-b/.sync-token'], ['uploads/deeper/.SYNC-TOKEN'], ['uploads/deeper/.sync-token']])('a download of %s is refused with 403 DB_FILE_REFUSED, no byte of the token sent', async (target) => {
    const answer = await request(files.server.url).get(`/api/sync/files/download?path=${encodeURIComponent(target)}`).set(AUTH);
    expect(answer.status).toBe(403);
    expect((answer.body as Refusal).error.code).toBe('DB_FILE_REFUSED');
    expect((answer.body as Refusal).error.message).toContain('.sync-token, the file a sync token is kept in; it never syncs');
    expect(JSON.stringify(answer.body)).not.toContain(readFileSync(tokenFile, 'utf8').trim());
  });

  it.each([
    ['?path=uploads/event-b/.sync-token', 'x.txt'],
    ['?path=uploads/event-b/.Sync-Token', 'x.txt'],
    ['?path=uploads/event-b/new/.sync-token', 'x.txt'],
    ['', '.sync-token'],
  ])('an upload (query %j, file name %j) is refused with 403 DB_FILE_REFUSED and nothing is written', async (query, filename) => {
    const before = treeDigest(files.uploads);
    const token = readFileSync(tokenFile, 'utf8');
    const { body, contentType } = multipart([{ name: 'file', filename, content: 'attacker-chosen-token-0123456789\n' }]);
    const answer = await request(files.server.url).post(`/api/sync/files/upload${query}`).set(AUTH).set('Content-Type', contentType).send(body);
    expect(answer.status).toBe(403);
    expect((answer.body as Refusal).error.code).toBe('DB_FILE_REFUSED');
    expect(readFileSync(tokenFile, 'utf8')).toBe(token);
    expect(treeDigest(files.uploads)).toBe(before);
    expect(tempFilesUnder(files.uploads)).toEqual([]);
  });

  it('an upload to ?path=…/.sync-token is answered 403 before its body is read', async () => {
    const size = 64 * 1024 * 1024;
    const head = Buffer.from('--b\r\nContent-Disposition: form-data; name="file"; filename="x.txt"\r\nContent-Type: application/octet-stream\r\n\r\n');
    const result = await rawRequest(`${files.server.url}/api/sync/files/upload?path=uploads/event-b/.sync-token`, {
      method: 'POST',
      headers: { ...AUTH, 'Content-Type': 'multipart/form-data; boundary=b', 'Content-Length': String(head.length + size) },
      chunks: [head, ...repeat(Buffer.alloc(1024 * 1024, 0x61), size / (1024 * 1024))],
    });
    expect(result.status).toBe(403);
    expect((result.body as Refusal).error.code).toBe('DB_FILE_REFUSED');
    expect(result.sentWhenAnswered).toBeLessThan(size);
  });
});

describe('a peer of an older version that lists a .sync-token', () => {
  it('has its listing of that root refused (PEER_LISTED_DATABASE) with a message that says what the file is and the fix; nothing written', async () => {
    const temp = tempDir('ess-ao2-old-peer-');
    const here = makeRoots(path.join(temp.dir, 'here'));
    const older = express();
    older.get('/api/sync/files/checksums', (_req, res) => {
      res.json({ root: 'uploads', path: '', files: [{ path: 'event-b/.sync-token', size: 49, mtimeMs: 0, sha256: 'a'.repeat(64) }] });
    });
    older.get('/api/sync/files/download', (_req, res) => void res.type('application/octet-stream').send('the-older-peer-token'));
    const fake = await startServer(older);
    const peer = new PeerHttp({ url: `${fake.url}/api/sync`, token: TEST_TOKEN });
    try {
      const before = treeDigest(path.join(temp.dir, 'here'));
      const state = await FileSyncState.load(path.join(temp.dir, 'state', 'files.json'));
      const files = { roots: resolveSyncRoots(here), policy: createFilePolicy(), cache: new ManifestCache() };
      const failing = syncRoot(files, { peer, remoteSiteId: 'f00d', state, now: () => new Date() }, 'uploads');
      await expect(failing).rejects.toMatchObject({ code: 'PEER_LISTED_DATABASE', status: 502 });
      await expect(failing).rejects.toThrow(/^the peer listed uploads\/event-b\/\.sync-token, a sync token file .*move that data folder out of the synced folder, or update that server/);
      expect(treeDigest(path.join(temp.dir, 'here'))).toBe(before);
    } finally {
      await fake.close();
      temp.cleanup();
    }
  });
});
