import { existsSync, mkdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import type { LocalFiles } from '../../lib/files/local-files';
import { syncRoot, type PeerFileLink } from '../../lib/peers/file-exchange';
import { put, SQLITE_BYTES } from '../helpers/file-roots';
import { openFileLink, type FileLink } from '../helpers/file-link';

/** File sync where the shape of the tree changes: a folder becomes a file, names near the length limit. */
describe('file sync across changes of shape', () => {
  let sides: FileLink;
  let here: string;
  let there: string;
  let files: LocalFiles;
  let link: PeerFileLink;

  beforeEach(async () => {
    sides = await openFileLink();
    ({ files, link } = sides);
    here = sides.here.uploads ?? '';
    there = sides.there.uploads ?? '';
  });

  afterEach(() => sides.close());

  const isFile = (absolute: string): boolean => existsSync(absolute) && statSync(absolute).isFile();

  it('sends a file that replaced a folder of its name: the peer deletes the folder it emptied, in the same round', async () => {
    put(here, 'keep.txt', 'k');
    put(here, 'y/inner.txt', 'inner');
    expect((await syncRoot(files, link, 'uploads')).errors).toEqual([]);
    rmSync(path.join(here, 'y'), { recursive: true });
    put(here, 'y', 'y is a file now');

    const round = await syncRoot(files, link, 'uploads');
    expect(round.errors).toEqual([]);
    expect(round).toMatchObject({ uploaded: 1, deletedThere: 1 });
    expect(readFileSync(path.join(there, 'y'), 'utf8')).toBe('y is a file now');
    expect((await syncRoot(files, link, 'uploads')).errors).toEqual([]);
  });

  it('fetches a file over an empty folder of its name left here, and removes folders its deletions emptied', async () => {
    put(there, 'y/inner.txt', 'inner');
    put(there, 'deep/er/only.txt', 'only');
    expect((await syncRoot(files, link, 'uploads')).errors).toEqual([]);
    rmSync(path.join(here, 'y/inner.txt')); // the folder stays, empty
    rmSync(path.join(there, 'y'), { recursive: true });
    put(there, 'y', 'y is a file now');
    rmSync(path.join(there, 'deep/er/only.txt'));

    const round = await syncRoot(files, link, 'uploads');
    expect(round.errors).toEqual([]);
    expect(readFileSync(path.join(here, 'y'), 'utf8')).toBe('y is a file now');
    expect(existsSync(path.join(here, 'deep'))).toBe(false);
    expect(existsSync(here)).toBe(true); // the root itself is never removed
  });

  it('keeps both versions of a file with a 220-byte name changed on both sides, under a copy name that fits', async () => {
    const name = `${'n'.repeat(215)}.json`;
    put(here, name, '{"v":0}');
    expect((await syncRoot(files, link, 'uploads')).errors).toEqual([]);
    put(here, name, '{"v":"A"}');
    put(there, name, '{"v":"B"}');

    const round = await syncRoot(files, link, 'uploads');
    expect(round.errors).toEqual([]);
    const copy = round.conflicts[0]?.copyPath.slice('uploads/'.length) ?? '';
    expect(Buffer.byteLength(copy, 'utf8')).toBeLessThanOrEqual(255);
    expect(copy).toMatch(/\.sync-conflict-20261126-100000-B0B0B0B\.json$/);
    for (const side of [here, there]) {
      expect(readFileSync(path.join(side, name), 'utf8')).toBe('{"v":"A"}');
      expect(readFileSync(path.join(side, copy), 'utf8')).toBe('{"v":"B"}');
    }
    expect((await syncRoot(files, link, 'uploads')).errors).toEqual([]);
  });

  it('names a folder that holds files and stands in the way, never calling it a database', async () => {
    mkdirSync(path.join(here, 'y'));
    put(here, 'y/app.db', SQLITE_BYTES); // never synced, so the folder is not empty
    put(there, 'y', 'a file on the peer');

    const round = await syncRoot(files, link, 'uploads');
    expect(round.errors).toEqual([expect.objectContaining({ path: 'uploads/y', code: 'PATH_CONFLICT', message: expect.stringContaining('uploads/y is a folder here') as string })]);
    expect(isFile(path.join(here, 'y/app.db'))).toBe(true);
  });
});
