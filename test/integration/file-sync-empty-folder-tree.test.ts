import { existsSync, lstatSync, mkdirSync, readFileSync, symlinkSync } from 'node:fs';
import path from 'node:path';
import type { LocalFiles } from '../../lib/files/local-files';
import { syncRoot, type PeerFileLink } from '../../lib/peers/file-exchange';
import { put } from '../helpers/file-roots';
import { openFileLink, type FileLink } from '../helpers/file-link';

/** A peer's file arrives where a folder of its name stands here: a tree of only empty folders gives way, anything else in it is a conflict. */
describe('a folder of empty folders in the way of a peer file', () => {
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

  it('removes a tree that holds only empty folders and fetches the file in its place', async () => {
    mkdirSync(path.join(here, 'ef/sub/deeper'), { recursive: true });
    mkdirSync(path.join(here, 'ef/other'));
    put(there, 'ef', 'a file on b');

    const round = await syncRoot(files, link, 'uploads');
    expect(round.errors).toEqual([]);
    expect(readFileSync(path.join(here, 'ef'), 'utf8')).toBe('a file on b');
    expect((await syncRoot(files, link, 'uploads')).errors).toEqual([]);
  });

  it('keeps the tree and reports PATH_CONFLICT when a symlink is inside (never followed, never removed)', async () => {
    mkdirSync(path.join(here, 'kept'));
    mkdirSync(path.join(here, 'ef/sub'), { recursive: true });
    symlinkSync('../../kept', path.join(here, 'ef/sub/link'));
    put(there, 'ef', 'a file on b');

    const round = await syncRoot(files, link, 'uploads');
    expect(round.errors).toEqual([expect.objectContaining({ code: 'PATH_CONFLICT' })]);
    expect(lstatSync(path.join(here, 'ef/sub/link')).isSymbolicLink()).toBe(true);
    expect(existsSync(path.join(here, 'kept'))).toBe(true);
  });
});
