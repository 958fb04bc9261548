import { existsSync, readFileSync, renameSync, rmSync, symlinkSync, unlinkSync } from 'node:fs';
import path from 'node:path';
import request from 'supertest';
import type { SyncClient } from '../../lib/peers/sync-client';
import { put } from '../helpers/file-roots';
import { startFilePair, type FilePair } from '../helpers/file-pair';
import { TEST_TOKEN } from '../helpers/server';
import { tempDir } from '../helpers/temp';

// Found by helper w1: photos moved to another disk and linked back (a symbolic
// link out of the root, or to a folder) are left out of the listing, so the
// peer took every one of them for deleted and deleted its copies; a link whose
// disk is not mounted (pointing to nothing) did the same. A path this server
// holds as a link it does not sync is now named in its listing (`leftOut`) and
// nothing is planned at it or under it, on either side.
describe('a synced file or folder replaced by a symbolic link the scan leaves out', () => {
  let pair: FilePair;
  let peerRoots: Record<string, string>;
  let peer: FilePair['peer'];
  let client: SyncClient;
  let roots: Record<string, string>;
  let elsewhere: ReturnType<typeof tempDir>;
  beforeEach(async () => {
    pair = await startFilePair('ess-link-left-out-', () => undefined);
    ({ peerRoots, roots, peer, client } = pair);
    elsewhere = tempDir('ess-link-elsewhere-');
  });
  afterEach(async () => {
    await pair.close();
    elsewhere.cleanup();
  });

  const sync = (): ReturnType<SyncClient['syncPeer']> => client.syncPeer(`${peer.url}/api/sync`);
  /** Files enough that a deletion of a few stays under the mass-delete guard's share (it would hold them back). */
  const others = (): void => {
    for (let i = 0; i < 20; i += 1) put(roots.uploads as string, `other-${i}.txt`, `other ${i}`);
  };
  const peerFile = (relative: string): string => path.join(peerRoots.uploads as string, relative);
  const localFile = (relative: string): string => path.join(roots.uploads as string, relative);

  it('keeps the peer\'s copies when this side\'s folder moved to another disk and was linked back', async () => {
    others();
    put(roots.uploads as string, 'photos/a.jpg', 'photo a');
    put(roots.uploads as string, 'photos/b.jpg', 'photo b');
    expect(await sync()).toMatchObject({ ok: true, filesUp: 22 });
    const moved = path.join(elsewhere.dir, 'photos');
    renameSync(localFile('photos'), moved);
    symlinkSync(moved, localFile('photos'));
    put(peerRoots.uploads as string, 'photos/c.jpg', 'new on the peer'); // not sent through the link
    const round = await sync();
    expect(round).toMatchObject({ ok: true, filesDown: 0, filesUp: 0, filesDeleted: 0, heldDeletions: [] });
    // The file written on the peer waits, and the round says so (helper x4: it waited without a word).
    expect(round.warnings).toEqual([{ code: 'HELD_BY_LINK', root: 'uploads', message: expect.stringContaining('1 file(s) of root "uploads" written since the last sync ("photos/c.jpg")') }]);
    expect(readFileSync(peerFile('photos/a.jpg'), 'utf8')).toBe('photo a');
    expect(readFileSync(peerFile('photos/b.jpg'), 'utf8')).toBe('photo b');
    expect(existsSync(path.join(moved, 'c.jpg'))).toBe(false);
  });

  it('keeps this side\'s copy when the peer replaced the file by a link out of its root, and by a link to nothing', async () => {
    others();
    put(peerRoots.uploads as string, 'plan.pdf', 'the plan');
    expect(await sync()).toMatchObject({ ok: true, filesDown: 1, filesUp: 20 });
    const outside = put(elsewhere.dir, 'plan.pdf', 'the plan');
    unlinkSync(peerFile('plan.pdf'));
    symlinkSync(outside, peerFile('plan.pdf'));
    const listed = await request(peer.url).get('/api/sync/files/checksums?path=uploads').set('Authorization', `Bearer ${TEST_TOKEN}`);
    expect(listed.body).toMatchObject({ leftOut: ['plan.pdf'] });
    expect(await sync()).toMatchObject({ ok: true, filesDeleted: 0, heldDeletions: [] });
    expect(readFileSync(localFile('plan.pdf'), 'utf8')).toBe('the plan');
    rmSync(outside); // its disk unplugged: the link points to nothing
    expect(await sync()).toMatchObject({ ok: true, filesDeleted: 0, heldDeletions: [] });
    expect(readFileSync(localFile('plan.pdf'), 'utf8')).toBe('the plan');
    // The link replaced by a file again: it syncs as before.
    unlinkSync(peerFile('plan.pdf'));
    put(peerRoots.uploads as string, 'plan.pdf', 'plan v2');
    expect(await sync()).toMatchObject({ ok: true, filesDown: 1 });
    expect(readFileSync(localFile('plan.pdf'), 'utf8')).toBe('plan v2');
  });

  it('still deletes on the peer a file deleted here (no link involved), and lists no leftOut without links', async () => {
    others();
    put(roots.uploads as string, 'old.txt', 'old');
    expect(await sync()).toMatchObject({ ok: true, filesUp: 21 });
    unlinkSync(localFile('old.txt'));
    const round = await sync();
    expect(round).toMatchObject({ ok: true, filesDeleted: 1 });
    expect(round.warnings).toEqual([]);
    expect(existsSync(peerFile('old.txt'))).toBe(false);
    const listed = await request(peer.url).get('/api/sync/files/checksums?path=uploads').set('Authorization', `Bearer ${TEST_TOKEN}`);
    expect(listed.body).not.toHaveProperty('leftOut');
  });
});
