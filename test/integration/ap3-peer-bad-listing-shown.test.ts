import path from 'node:path';
import express from 'express';
import { createFilePolicy } from '../../lib/files/file-policy';
import { ManifestCache } from '../../lib/files/manifest-cache';
import { resolveSyncRoots } from '../../lib/files/sync-roots';
import { syncRoot } from '../../lib/peers/file-exchange';
import { FileSyncState } from '../../lib/peers/file-sync-state';
import { PeerHttp } from '../../lib/peers/peer-http';
import { makeRoots, treeDigest } from '../helpers/file-roots';
import { startServer, TEST_TOKEN } from '../helpers/server';
import { tempDir } from '../helpers/temp';

/** Another token this side holds (hidden too), and a short one, hidden where it stands as a credential. */
const OTHER = 'other-token-fedcba9876543210';
const SHORT = 'sync';
const SHA = 'a'.repeat(64);

/** A listing entry of `relative`. */
function entry(relative: string): { path: string; size: number; mtimeMs: number; sha256: string } {
  return { path: relative, size: 1, mtimeMs: 0, sha256: SHA };
}

/**
 * A peer's listing refused for a path it holds (`PEER_BAD_LISTING`, `PEER_LISTED_DATABASE`) had that path
 * in its message as the peer sent it: whole (up to 4096 characters each, two of them for a file that is
 * also a folder) and with any token in it, into the `sync.failed` line, `/status` and the status page.
 * Each path is now cut after 200 characters, saying how many more there were, with the tokens hidden.
 */
describe('a peer listing refused for its paths: each path shown bounded, tokens hidden', () => {
  const long = 'x'.repeat(3800);
  it.each([
    ['a path that leaves the root', [entry(`../${TEST_TOKEN}/${long}`)], 'PEER_BAD_LISTING'],
    ['a path with a short token as a credential', [entry(`../Authorization: Bearer ${SHORT}; ${long}`)], 'PEER_BAD_LISTING'],
    ['a file that is also a folder', [entry(`${OTHER}${long}`), entry(`${OTHER}${long}/${TEST_TOKEN}.txt`)], 'PEER_BAD_LISTING'],
    ['a database name', [entry(`${TEST_TOKEN}/${'d'.repeat(250)}/${'e'.repeat(250)}/app.db`)], 'PEER_LISTED_DATABASE'],
  ])('%s', async (_what, files, code) => {
    const temp = tempDir('ess-ap3-listing-');
    const here = makeRoots(path.join(temp.dir, 'here'));
    const hostile = express();
    hostile.get('/api/sync/files/checksums', (_req, res) => void res.json({ root: 'uploads', path: '', files }));
    const fake = await startServer(hostile);
    const peer = new PeerHttp({ url: `${fake.url}/api/sync`, token: TEST_TOKEN }, { secrets: [OTHER, SHORT] });
    try {
      const before = treeDigest(path.join(temp.dir, 'here'));
      const state = await FileSyncState.load(path.join(temp.dir, 'state', 'files.json'));
      const local = { roots: resolveSyncRoots(here), policy: createFilePolicy(), cache: new ManifestCache() };
      const error = await syncRoot(local, { peer, remoteSiteId: 'f00d', state, now: () => new Date() }, 'uploads').then(
        () => undefined,
        (refusal: unknown) => refusal as Error & { code: string },
      );
      expect(error?.code).toBe(code);
      const message = error?.message ?? '';
      for (const token of [TEST_TOKEN, OTHER, `Bearer ${SHORT}`]) expect(message).not.toContain(token);
      expect(message).toContain('***');
      expect(message).toMatch(/… \(\d+ more characters\)/);
      expect(message.length).toBeLessThan(800);
      expect(treeDigest(path.join(temp.dir, 'here'))).toBe(before);
    } finally {
      await fake.close();
      temp.cleanup();
    }
  });
});
