import { readFileSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import express from 'express';
import { createFilePolicy } from '../../lib/files/file-policy';
import { ManifestCache } from '../../lib/files/manifest-cache';
import { resolveSyncRoots } from '../../lib/files/sync-roots';
import { silentLogger } from '../../lib/logger';
import { syncRoot } from '../../lib/peers/file-exchange';
import { FileSyncState } from '../../lib/peers/file-sync-state';
import { PeerHttp } from '../../lib/peers/peer-http';
import { createSyncRouter } from '../../node/create-sync-router';
import { makeRoots, put } from '../helpers/file-roots';
import { startServer, TEST_TOKEN, type TestServer } from '../helpers/server';
import { tempDir } from '../helpers/temp';

/** What a compressing proxy in front of the peer does to a file download. */
type Proxy = 'compresses when asked' | 'compresses always' | 'sends an unknown coding';

/**
 * A proxy in front of a peer (Traefik's compress middleware compresses every
 * type) gzipped file downloads, since the client asked for gzip on every
 * request: the client hashed the compressed bytes and took every such file
 * for changed on the peer (REMOTE_CHANGED) at every round, so it never
 * synced. Downloads now ask for the file as it is, and inflate one that
 * comes compressed all the same.
 */
describe('a file download compressed by a proxy in front of the peer', () => {
  let temp: ReturnType<typeof tempDir>;
  let server: TestServer;
  let peer: PeerHttp;

  afterEach(async () => {
    peer.close();
    await server.close();
    temp.cleanup();
  });

  async function syncThrough(proxy: Proxy): Promise<{ result: Awaited<ReturnType<typeof syncRoot>>; here: Record<string, string> }> {
    temp = tempDir();
    const here = makeRoots(path.join(temp.dir, 'a'));
    const there = makeRoots(path.join(temp.dir, 'b'));
    put(there.uploads ?? '', 'notes.txt', 'pit notes '.repeat(500));
    const app = express();
    app.get('/api/sync/files/download', (req, res, next) => {
      const asked = /\bgzip\b/.test(String(req.headers['accept-encoding'] ?? ''));
      if (proxy === 'compresses when asked' && !asked) return next();
      const bytes = readFileSync(path.join(there.uploads ?? '', 'notes.txt'));
      res.set({ 'Content-Type': 'application/octet-stream', 'Content-Encoding': proxy === 'sends an unknown coding' ? 'zstd' : 'gzip' }).send(gzipSync(bytes));
    });
    app.use('/api/sync', createSyncRouter({ token: TEST_TOKEN, logger: silentLogger, roots: there }));
    server = await startServer(app);
    peer = new PeerHttp({ url: `${server.url}/api/sync`, token: TEST_TOKEN });
    const files = { roots: resolveSyncRoots(here), policy: createFilePolicy(), cache: new ManifestCache() };
    const link = { peer, remoteSiteId: 'b0b0b0b0b0b0', state: await FileSyncState.load(path.join(temp.dir, 'state', 'files-b.json')), now: () => new Date(Date.UTC(2026, 11, 3)) };
    return { result: await syncRoot(files, link, 'uploads'), here };
  }

  it.each<Proxy>(['compresses when asked', 'compresses always'])('a proxy that %s: the file lands as the peer holds it', async (proxy) => {
    const { result, here } = await syncThrough(proxy);
    expect(result).toMatchObject({ downloaded: 1, errors: [] });
    expect(readFileSync(path.join(here.uploads ?? '', 'notes.txt'), 'utf8')).toBe('pit notes '.repeat(500));
  });

  it('a coding this server cannot decode is PEER_BAD_ANSWER naming it, and nothing is written', async () => {
    const { result, here } = await syncThrough('sends an unknown coding');
    expect(result.errors).toEqual([{ path: 'uploads/notes.txt', code: 'PEER_BAD_ANSWER', message: expect.stringContaining('"zstd"') }]);
    expect(() => readFileSync(path.join(here.uploads ?? '', 'notes.txt'))).toThrow();
  });
});
