import path from 'node:path';
import request from 'supertest';
import { createFilePolicy } from '../../lib/files/file-policy';
import type { LocalFiles } from '../../lib/files/local-files';
import { ManifestCache } from '../../lib/files/manifest-cache';
import { resolveSyncRoots } from '../../lib/files/sync-roots';
import { syncRoot } from '../../lib/peers/file-exchange';
import { FileSyncState } from '../../lib/peers/file-sync-state';
import { PeerHttp } from '../../lib/peers/peer-http';
import { makeRoots, put, tempFilesUnder, treeDigest } from '../helpers/file-roots';
import { makeApp, startServer, TEST_TOKEN } from '../helpers/server';
import { tempDir } from '../helpers/temp';

const AUTH = { Authorization: `Bearer ${TEST_TOKEN}` };

/**
 * `extraDatabasePatterns: ['**\/Straße.json', 'Ｓｅｃｒｅｔｓ/**']`: the patterns were not folded,
 * so `uploads/STRASSE.json` and `uploads/secrets/key.txt` were uploaded, listed and served
 * although a case-insensitive disk or a reader takes them as the names the operator refused.
 * They are now refused like the pattern's own spelling: 403 DB_FILE_REFUSED naming the pattern,
 * before a byte is written, and left out of the listing.
 */
describe('extraDatabasePatterns written outside ASCII are folded, on every route', () => {
  let temp: ReturnType<typeof tempDir>;
  let roots: Record<string, string>;
  beforeEach(() => {
    temp = tempDir('ess-k5-patterns-');
    roots = makeRoots(temp.dir);
  });
  afterEach(() => temp.cleanup());

  const PATTERNS = ['**/Straße.json', 'Ｓｅｃｒｅｔｓ/**'];

  it.each<[string, string]>([
    ['uploads/STRASSE.json', '**/Straße.json'],
    ['uploads/notes/strasse.json', '**/Straße.json'],
    ['uploads/secrets/key.txt', 'Ｓｅｃｒｅｔｓ/**'],
    ['uploads/SECRETS/key.txt', 'Ｓｅｃｒｅｔｓ/**'],
  ])('upload of %s: 403 naming %s, nothing written', async (target, pattern) => {
    const before = treeDigest(temp.dir);
    const res = await request(makeApp({ roots, extraDatabasePatterns: PATTERNS }))
      .post(`/api/sync/files/upload?path=${encodeURIComponent(target)}`)
      .set(AUTH)
      .attach('file', Buffer.from('plain text'), 'a.txt');
    expect([res.status, res.body.error?.code]).toEqual([403, 'DB_FILE_REFUSED']);
    expect(res.body.error.message).toContain(JSON.stringify(pattern));
    expect(treeDigest(temp.dir)).toBe(before);
    expect(tempFilesUnder(temp.dir)).toEqual([]);
  });

  it('such files on disk are left out of the listing and never served; other names still sync', async () => {
    put(roots.uploads ?? '', 'STRASSE.json', 'refused');
    put(roots.uploads ?? '', 'secrets/key.txt', 'refused');
    put(roots.uploads ?? '', 'Strasse-plan.json', 'fine');
    const app = makeApp({ roots, extraDatabasePatterns: PATTERNS });
    const listing = await request(app).get('/api/sync/files/checksums?path=uploads').set(AUTH);
    expect(listing.status).toBe(200);
    expect(JSON.stringify(listing.body)).not.toMatch(/STRASSE\.json|secrets/);
    expect(JSON.stringify(listing.body)).toContain('Strasse-plan.json');
    for (const target of ['uploads/STRASSE.json', 'uploads/secrets/key.txt']) {
      const res = await request(app).get(`/api/sync/files/download?path=${encodeURIComponent(target)}`).set(AUTH);
      expect([target, res.status, res.body.error?.code]).toEqual([target, 403, 'DB_FILE_REFUSED']);
    }
  });
});

describe('extraDatabasePatterns negated once folded', () => {
  it('createSyncRouter refuses a fullwidth ！ pattern as it refuses !*.db, naming the option', () => {
    const temp = tempDir('ess-k5-negated-');
    try {
      expect(() => makeApp({ roots: makeRoots(temp.dir), extraDatabasePatterns: ['\uff01*.db'] })).toThrow(/`extraDatabasePatterns` holds .*a negated pattern/);
    } finally {
      temp.cleanup();
    }
  });
});

describe('a peer without the pattern lists such a file', () => {
  it('its listing of the root is refused (PEER_LISTED_DATABASE), nothing written here', async () => {
    const temp = tempDir('ess-k5-peer-pattern-');
    const there = makeRoots(path.join(temp.dir, 'there'));
    put(there.uploads ?? '', 'STRASSE.json', 'from a peer without the pattern');
    const peerServer = await startServer(makeApp({ roots: there }));
    const here = makeRoots(path.join(temp.dir, 'here'));
    const files: LocalFiles = { roots: resolveSyncRoots(here), policy: createFilePolicy({ extraPatterns: ['**/Straße.json'] }), cache: new ManifestCache() };
    try {
      const before = treeDigest(path.join(temp.dir, 'here'));
      const state = await FileSyncState.load(path.join(temp.dir, 'state', 'files.json'));
      const peer = new PeerHttp({ url: `${peerServer.url}/api/sync`, token: TEST_TOKEN });
      await expect(syncRoot(files, { peer, remoteSiteId: 'f00d', state, now: () => new Date() }, 'uploads')).rejects.toMatchObject({ code: 'PEER_LISTED_DATABASE', status: 502 });
      expect(treeDigest(path.join(temp.dir, 'here'))).toBe(before);
    } finally {
      await peerServer.close();
      temp.cleanup();
    }
  });
});
