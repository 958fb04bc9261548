import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { put, tempFilesUnder, treeDigest } from '../helpers/file-roots';
import { startFilePair, type FilePair } from '../helpers/file-pair';
import { conflictCopyPath } from '../../lib/peers/file-sync-plan';

/** Folders `count` deep, each named `length` times `letter`, as a relative path ending in `/`. */
function deepFolder(count: number, length: number, letter: string): string {
  return Array.from({ length: count }, () => letter.repeat(length)).join('/') + '/';
}

// Helper r1's find: a clash in a deep folder whose conflict copy's path would pass 1024 characters (the
// copy's marker adds 38) was a step error in a round said `ok`, retried for ever, and the two servers kept
// different versions for good. Now the copy's stem is cut to fit; where no name fits, the round fails
// with CONFLICT_COPY_TOO_LONG naming the file and the fix, and each side keeps its own version.
describe('a clash in a folder near the path limit', () => {
  let pair: FilePair;
  beforeEach(async () => {
    pair = await startFilePair('ess-r0-deep-copy-', () => undefined);
  });
  afterEach(() => pair.close());

  it('keeps both versions under a cut name that fits, on both sides, and the next round is quiet', async () => {
    const { roots, peerRoots, client, peer } = pair;
    const relative = `${deepFolder(4, 200, 'd')}${'n'.repeat(190)}.txt`;
    expect(`uploads/${relative}.sync-conflict-20261204-120000-ABCDEFG`.length).toBeGreaterThan(1024);
    put(roots.uploads as string, relative, 'from here');
    put(peerRoots.uploads as string, relative, 'from the peer');
    const round = await client.syncPeer(`${peer.url}/api/sync`);
    expect(round).toMatchObject({ ok: true, fileErrors: [] });
    expect(round.fileConflicts).toHaveLength(1);
    const copy = round.fileConflicts[0]?.copyPath ?? '';
    expect(copy.length).toBeLessThanOrEqual(1024);
    expect(copy.startsWith(`uploads/${deepFolder(4, 200, 'd')}nnn`)).toBe(true);
    expect(copy).toMatch(/~[0-9a-f]{8}\.sync-conflict-\d{8}-\d{6}-[A-Z0-9]{1,7}\.txt$/);
    expect(treeDigest(peerRoots.uploads as string)).toBe(treeDigest(roots.uploads as string));
    const kept = [readFileSync(path.join(roots.uploads as string, relative), 'utf8'), readFileSync(path.join(roots.uploads as string, copy.slice('uploads/'.length)), 'utf8')];
    expect(kept.sort()).toEqual(['from here', 'from the peer']);
    const again = await client.syncPeer(`${peer.url}/api/sync`);
    expect(again).toMatchObject({ ok: true, filesUp: 0, filesDown: 0, fileConflicts: [], fileErrors: [] });
  });

  it('fails the round with CONFLICT_COPY_TOO_LONG when no copy name fits, each side keeping its version', async () => {
    const { roots, peerRoots, client, peer } = pair;
    const relative = `${deepFolder(4, 240, 'd')}${'e'.repeat(20)}/f.txt`;
    expect(`uploads/${relative}`.length).toBe(998);
    put(roots.uploads as string, relative, 'from here');
    put(peerRoots.uploads as string, relative, 'from the peer');
    for (let attempt = 0; attempt < 2; attempt += 1) {
      const round = await client.syncPeer(`${peer.url}/api/sync`);
      expect(round.ok).toBe(false);
      expect(round.error?.code).toBe('CONFLICT_COPY_TOO_LONG');
      expect(round.error?.message).toContain('over 1024');
      expect(round.fileErrors).toEqual([expect.objectContaining({ path: `uploads/${relative}`, code: 'CONFLICT_COPY_TOO_LONG' })]);
      expect(round.fileConflicts).toEqual([]);
    }
    expect(readFileSync(path.join(roots.uploads as string, relative), 'utf8')).toBe('from here');
    expect(readFileSync(path.join(peerRoots.uploads as string, relative), 'utf8')).toBe('from the peer');
    expect(tempFilesUnder(roots.uploads as string)).toEqual([]);
    expect(tempFilesUnder(peerRoots.uploads as string)).toEqual([]);
    expect(client.peerStatuses()[0]).toMatchObject({ state: 'failing', lastErrorCode: 'CONFLICT_COPY_TOO_LONG' });
  });
});

// Reviewer s1's find: a cut copy holding the bytes of the file it was named after was never dropped as
// redundant: its name without the marker (`<start>~<tag>.ext`) is no file, and was taken for its origin.
describe('a cut conflict copy that holds nothing new', () => {
  let pair: FilePair;
  beforeEach(async () => {
    pair = await startFilePair('ess-r0-cut-copy-', () => undefined);
  });
  afterEach(() => pair.close());

  it.each([
    ['in a short folder (not cut)', 'a/'],
    ['in a deep folder (cut to the path bound)', deepFolder(4, 230, 'd')],
    ['with a name over 255 bytes (cut to the name bound)', 'b/'],
  ])('is dropped on both sides %s', async (_what, folder) => {
    const { roots, peerRoots, client, peer } = pair;
    const name = folder === 'b/' ? `${'q'.repeat(240)}.txt` : 'quarterly-report-final-version-with-all-the-numbers.txt';
    const origin = `${folder}${name}`;
    const copy = conflictCopyPath(origin, new Date(Date.UTC(2026, 11, 4, 12, 0, 0)), 'abcdef0123456789abcdef0123456789', 1024 - 'uploads/'.length);
    for (const side of [roots, peerRoots]) {
      put(side.uploads as string, origin, 'same bytes');
      put(side.uploads as string, copy, 'same bytes');
    }
    for (let round = 0; round < 2; round += 1) expect(await client.syncPeer(`${peer.url}/api/sync`)).toMatchObject({ ok: true });
    expect(existsSync(path.join(roots.uploads as string, copy))).toBe(false);
    expect(existsSync(path.join(peerRoots.uploads as string, copy))).toBe(false);
    expect(readFileSync(path.join(roots.uploads as string, origin), 'utf8')).toBe('same bytes');
  });
});
