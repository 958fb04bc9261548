import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { SyncClient } from '../../lib/peers/sync-client';
import { put, tempFilesUnder, treeDigest } from '../helpers/file-roots';
import { startFilePair, type FilePair } from '../helpers/file-pair';

// The fault hunt: a file replaced by a folder of the same name between the
// listing that planned its transfer and the transfer, on either side. The
// step fails as a change (a 404 from the peer: not a file any more; here,
// LOCAL_CHANGED), nothing half-written is left, and the next round syncs
// the folder's files.
describe('a file replaced by a folder between its listing and its transfer', () => {
  let pair: FilePair;
  let peerRoots: Record<string, string>;
  let peer: FilePair['peer'];
  let client: SyncClient;
  let roots: Record<string, string>;
  /** Which request (by path) turns which side's `config/event` into a folder when the peer sees it arrive. */
  let swap: { readonly on: string; readonly side: 'peer' | 'here' } | undefined;
  beforeEach(async () => {
    swap = undefined;
    pair = await startFilePair('ess-h6-folder-', (app, sides) => {
      app.use('/api/sync/files', (req, _res, next) => {
        if (swap !== undefined && req.query.path === swap.on) {
          const folder = path.join((swap.side === 'peer' ? sides.peerRoots : sides.roots).config as string, 'event');
          rmSync(folder, { force: true });
          mkdirSync(folder);
          writeFileSync(path.join(folder, 'schedule.json'), '{"day":2}');
          swap = undefined;
        }
        next();
      });
    });
    ({ peerRoots, roots, peer, client } = pair);
  });
  afterEach(() => pair.close());

  it('on the peer, before its download: refused as gone, then the folder syncs', async () => {
    put(peerRoots.config as string, 'event', 'day 1');
    swap = { on: 'config/event', side: 'peer' };
    const round = await client.syncPeer(`${peer.url}/api/sync`);
    expect(round).toMatchObject({ ok: true, fileErrors: [expect.objectContaining({ path: 'config/event', code: 'NOT_FOUND' })] });
    expect(tempFilesUnder(roots.config as string)).toEqual([]);
    expect(await client.syncPeer(`${peer.url}/api/sync`)).toMatchObject({ ok: true, filesDown: 1, fileErrors: [] });
    expect(readFileSync(path.join(roots.config as string, 'event', 'schedule.json'), 'utf8')).toBe('{"day":2}');
  });

  it('here, before its upload: refused as changed here, then the folder syncs', async () => {
    put(roots.config as string, 'a-first.txt', 'sent first');
    put(roots.config as string, 'event', 'day 1');
    swap = { on: 'config/a-first.txt', side: 'here' };
    const round = await client.syncPeer(`${peer.url}/api/sync`);
    expect(round).toMatchObject({ ok: true, filesUp: 1, fileErrors: [expect.objectContaining({ path: 'config/event', code: 'LOCAL_CHANGED' })] });
    expect(tempFilesUnder(peerRoots.config as string)).toEqual([]);
    expect(await client.syncPeer(`${peer.url}/api/sync`)).toMatchObject({ ok: true, filesUp: 1, fileErrors: [] });
    expect(treeDigest(peerRoots.config as string)).toBe(treeDigest(roots.config as string));
  });
});
