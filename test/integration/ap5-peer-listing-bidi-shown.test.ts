import path from 'node:path';
import express from 'express';
import { createFilePolicy } from '../../lib/files/file-policy';
import { ManifestCache } from '../../lib/files/manifest-cache';
import { resolveSyncRoots } from '../../lib/files/sync-roots';
import { syncRoot } from '../../lib/peers/file-exchange';
import { FileSyncState } from '../../lib/peers/file-sync-state';
import { PeerHttp } from '../../lib/peers/peer-http';
import { makeRoots } from '../helpers/file-roots';
import { startServer, TEST_TOKEN } from '../helpers/server';
import { tempDir } from '../helpers/temp';

/**
 * 6a91918 shows a path of a refused peer listing through PeerHttp.shownText: tokens hidden, control characters
 * replaced, cut. Text-direction and invisible characters were kept: a hostile peer listing `../x\u202Etxt.exe`
 * reordered the sync.failed line, `/status` and the status page around it (and a zero-width space hid what the
 * path was). They are now shown escaped (`\u202e`), as the file routes show a path they refuse.
 */
describe('a refused peer listing: text-direction and invisible characters of its path are shown escaped', () => {
  it.each([
    ['PEER_BAD_LISTING', `../evil\u202Etxt.exe`, '\\u202e'],
    ['PEER_LISTED_DATABASE', `notes\u200B\u2066/app.db`, '\\u200b\\u2066'],
  ])('%s: %j', async (code, listed, escaped) => {
    const temp = tempDir('ess-ap5-listing-bidi-');
    const here = makeRoots(path.join(temp.dir, 'here'));
    const hostile = express();
    hostile.get('/api/sync/files/checksums', (_req, res) => void res.json({ root: 'uploads', path: '', files: [{ path: listed, size: 1, mtimeMs: 0, sha256: 'a'.repeat(64) }] }));
    const fake = await startServer(hostile);
    const peer = new PeerHttp({ url: `${fake.url}/api/sync`, token: TEST_TOKEN });
    try {
      const state = await FileSyncState.load(path.join(temp.dir, 'state', 'files.json'));
      const local = { roots: resolveSyncRoots(here), policy: createFilePolicy(), cache: new ManifestCache() };
      const error = await syncRoot(local, { peer, remoteSiteId: 'f00d', state, now: () => new Date() }, 'uploads').then(
        () => undefined,
        (refusal: unknown) => refusal as Error & { code: string },
      );
      expect(error?.code).toBe(code);
      expect(error?.message).not.toMatch(/[\u200B\u202E\u2066]/);
      expect(error?.message).toContain(escaped);
    } finally {
      await fake.close();
      temp.cleanup();
    }
  });
});
