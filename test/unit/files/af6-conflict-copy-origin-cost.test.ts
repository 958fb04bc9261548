import { conflictCopyOrigin, conflictCopyPath } from '../../../lib/files/conflict-copy-names';
import { conflictCopiesIn } from '../../../lib/files/conflict-copy-report';

// Found by review af6: every whole scan of a root (each round, each peer's manifest request) lists its
// conflict copies (59f4bde), and for a copy whose file is gone conflictCopyOrigin ran the full check
// (two SHA-256 hashes) against every path of the root: 20 such copies at the top of a root of 100,000
// files held the event loop for about 5 s per scan. Only a cut name can belong to another path than
// the name without its marker, and only to one in its own folder that starts as it does.
const WHEN = new Date(Date.UTC(2026, 0, 1, 12, 0, 0));

function rootOf(files: number): string[] {
  return Array.from({ length: files }, (_, i) => `photos/team${i % 500}/img${i}.jpg`);
}

describe('conflict copies on disk: the cost of finding the file each copies', () => {
  it('20 copies whose files are gone, in a root of 100,000 files, take well under a second', () => {
    const copies = Array.from({ length: 20 }, (_, i) => conflictCopyPath(`gone${i}.txt`, WHEN, 'abcdef123'));
    const paths = [...rootOf(100_000), ...copies].sort();
    const started = performance.now();
    const found = conflictCopiesIn('uploads', paths, WHEN.toISOString());
    const ms = performance.now() - started;
    expect(found?.count).toBe(20);
    expect(found?.copies.every((copy) => copy.path === null)).toBe(true);
    expect(ms).toBeLessThan(1500);
  });

  it.each([
    ['a plain name', 'notes/day1.txt'],
    ['a name cut to fit 255 bytes', `notes/${'long-'.repeat(60)}report.txt`],
    ['a cut name without extension', `${'x'.repeat(250)}`],
  ])('%s: still found, and not in another folder', (_label, origin) => {
    const copy = conflictCopyPath(origin, WHEN, 'abcdef123');
    expect(copy).not.toBe(origin);
    const paths = [...rootOf(1000), origin, copy, `elsewhere/${origin.split('/').pop() ?? ''}`].sort();
    expect(conflictCopyOrigin(copy, paths)).toBe(origin);
    expect(conflictCopiesIn('uploads', paths, WHEN.toISOString())?.copies).toEqual([{ path: `uploads/${origin}`, copyPath: `uploads/${copy}` }]);
  });

  it('a cut copy whose file is gone is listed with no file, as before', () => {
    const copy = conflictCopyPath(`${'long-'.repeat(60)}report.txt`, WHEN, 'abcdef123');
    expect(copy).toMatch(/~[0-9a-f]{8}\.sync-conflict-/);
    expect(conflictCopiesIn('uploads', [copy, 'other.txt'], WHEN.toISOString())?.copies).toEqual([{ path: null, copyPath: `uploads/${copy}` }]);
  });
});
