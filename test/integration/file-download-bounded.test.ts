import { readdirSync } from 'node:fs';
import path from 'node:path';
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

const MB = 1024 * 1024;
/** What the peer would stream at most: far more than the 5 bytes it listed. */
const ENDLESS_BYTES = 64 * MB;

/**
 * A peer (hostile, or one whose file keeps growing) that lists a file of a
 * few bytes and then streams its download on without end (chunked, no
 * Content-Length) had every byte written to a temp file beside the target:
 * it could fill this server's disk, under its database too. A download now
 * stops past the size the peer listed (REMOTE_CHANGED), and leaves nothing.
 */
describe('a file download longer than the peer listed it', () => {
  let temp: ReturnType<typeof tempDir>;
  let server: TestServer;
  let peer: PeerHttp;

  afterEach(async () => {
    peer.close();
    await server.close();
    temp.cleanup();
  });

  it('is cut off past the listed size: REMOTE_CHANGED, no file and no temp file here, the stream stopped early', async () => {
    temp = tempDir();
    const here = makeRoots(path.join(temp.dir, 'a'));
    const there = makeRoots(path.join(temp.dir, 'b'));
    put(there.uploads ?? '', 'notes.txt', 'small');
    let written = 0;
    const app = express();
    app.get('/api/sync/files/download', (_req, res) => {
      res.status(200).type('application/octet-stream');
      const chunk = Buffer.alloc(64 * 1024, 0x61);
      const more = (): void => {
        while (written < ENDLESS_BYTES && !res.destroyed) {
          written += chunk.length;
          if (!res.write(chunk)) return void res.once('drain', more);
        }
        res.end();
      };
      more();
    });
    app.use('/api/sync', createSyncRouter({ token: TEST_TOKEN, logger: silentLogger, roots: there }));
    server = await startServer(app);
    peer = new PeerHttp({ url: `${server.url}/api/sync`, token: TEST_TOKEN });
    const files = { roots: resolveSyncRoots(here), policy: createFilePolicy(), cache: new ManifestCache() };
    const link = { peer, remoteSiteId: 'b0b0b0b0b0b0', state: await FileSyncState.load(path.join(temp.dir, 'state', 'files-b.json')), now: () => new Date(Date.UTC(2026, 11, 3)) };

    const result = await syncRoot(files, link, 'uploads');

    expect(result.errors).toEqual([{ path: 'uploads/notes.txt', code: 'REMOTE_CHANGED', message: expect.stringContaining('past the 5 bytes the peer listed') }]);
    expect(readdirSync(here.uploads ?? '')).toEqual([]);
    expect(written).toBeLessThan(ENDLESS_BYTES);
  });
});
