import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import express from 'express';
import request from 'supertest';
import { createFilePolicy } from '../../lib/files/file-policy';
import type { LocalFiles } from '../../lib/files/local-files';
import { ManifestCache } from '../../lib/files/manifest-cache';
import { resolveSyncRoots } from '../../lib/files/sync-roots';
import { syncRoot } from '../../lib/peers/file-exchange';
import { FileSyncState } from '../../lib/peers/file-sync-state';
import { PeerHttp } from '../../lib/peers/peer-http';
import { makeRoots, put, treeDigest } from '../helpers/file-roots';
import { multipart } from '../helpers/multipart';
import { makeApp, startServer, TEST_TOKEN, type TestServer } from '../helpers/server';
import { tempDir } from '../helpers/temp';

const AUTH = { Authorization: `Bearer ${TEST_TOKEN}` };

/**
 * An app's database in a synced folder under a name no rule knows
 * (`uploads/store`, found by its content), in rollback-journal mode: a folder
 * under the name of its journal, WAL or served-mark file stops SQLite from
 * writing it, as a folder `app.db-journal/` does for `app.db`.
 */
const SIDE_FOLDERS = ['store-journal', 'store-wal', 'store-shm', 'store-syncmark'] as const;

describe('a folder under the name of a side file of a database found by its content', () => {
  let temp: ReturnType<typeof tempDir>;
  let roots: Record<string, string>;
  let server: TestServer;
  let store: string;

  beforeEach(async () => {
    temp = tempDir('ess-h4-side-folders-');
    roots = makeRoots(path.join(temp.dir, 'data'));
    store = path.join(roots.uploads ?? '', 'store');
    const db = new Database(store);
    db.exec("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT); INSERT INTO notes (body) VALUES ('first')");
    db.close();
    server = await startServer(makeApp({ roots, uploadRoot: 'uploads' }));
  });
  afterEach(async () => {
    await server.close();
    temp.cleanup();
  });

  /** The database can still be written (a folder where its journal goes makes this throw). */
  function writeToStore(): void {
    const db = new Database(store);
    try {
      db.prepare("INSERT INTO notes (body) VALUES ('second')").run();
    } finally {
      db.close();
    }
  }

  it.each(SIDE_FOLDERS)('upload to uploads/%s/keep.txt: 403 DB_CONTENT_REFUSED, no folder made, the database still writable', async (folder) => {
    const before = treeDigest(path.join(temp.dir, 'data'));
    const { body, contentType } = multipart([{ name: 'file', filename: 'keep.txt', content: 'harmless text' }]);
    const answer = await request(server.url)
      .post(`/api/sync/files/upload?path=${encodeURIComponent(`uploads/${folder}/keep.txt`)}`)
      .set(AUTH)
      .set('Content-Type', contentType)
      .send(body);
    expect([answer.status, (answer.body as { error?: { code?: string } }).error?.code]).toEqual([403, 'DB_CONTENT_REFUSED']);
    expect(existsSync(path.join(roots.uploads ?? '', folder))).toBe(false);
    expect(treeDigest(path.join(temp.dir, 'data'))).toBe(before);
    expect(writeToStore).not.toThrow();
  });

  it('a folder made there by hand is neither entered nor listed by the manifest', async () => {
    put(roots.uploads ?? '', 'store-journal/keep.txt', 'made by hand');
    put(roots.uploads ?? '', 'notes.txt', 'a note');
    const answer = await request(server.url).get('/api/sync/files/checksums?path=uploads').set(AUTH).expect(200);
    expect((answer.body as { files: { path: string }[] }).files.map((file) => file.path)).toEqual(['notes.txt']);
  });

  it("a peer's file under such a folder is not downloaded (no folder made), and the root's other files are", async () => {
    const sha = createHash('sha256').update('keep').digest('hex');
    const other = express();
    other.get('/api/sync/files/checksums', (_req, res) => {
      res.json({ root: 'uploads', path: '', files: [{ path: 'store-journal/keep.txt', size: 4, mtimeMs: 0, sha256: sha }, { path: 'photo.jpg', size: 4, mtimeMs: 0, sha256: sha }] });
    });
    other.get('/api/sync/files/download', (_req, res) => {
      res.type('application/octet-stream').set('ETag', `"${sha}"`).send('keep');
    });
    const peerServer = await startServer(other);
    const peer = new PeerHttp({ url: `${peerServer.url}/api/sync`, token: TEST_TOKEN });
    const files: LocalFiles = { roots: resolveSyncRoots(roots), policy: createFilePolicy(), cache: new ManifestCache() };
    try {
      const state = await FileSyncState.load(path.join(temp.dir, 'state', 'files.json'));
      const result = await syncRoot(files, { peer, remoteSiteId: 'f00d', state, now: () => new Date() }, 'uploads');
      expect(result.errors.map((error) => [error.path, error.code])).toEqual([['uploads/store-journal/keep.txt', 'DB_CONTENT_REFUSED']]);
      expect(existsSync(path.join(roots.uploads ?? '', 'store-journal'))).toBe(false);
      expect(existsSync(path.join(roots.uploads ?? '', 'photo.jpg'))).toBe(true);
      expect(writeToStore).not.toThrow();
    } finally {
      files.cache.close();
      peer.close();
      await peerServer.close();
    }
  });
});
