import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { openTempFile, removeTempFile } from '../../../lib/files/atomic-file';
import { tempDir } from '../../helpers/temp';

/**
 * Two uploads into a folder that does not exist yet (`new/dir/a.txt` and
 * `new/dir/b.txt`, sent at once), both refused or cut off: the first made
 * the folders, the second found them there. Whichever ends last must leave no
 * empty folder behind, as one such upload alone leaves none.
 */
describe('temp files sharing the folders one of them made', () => {
  let temp: ReturnType<typeof tempDir>;
  let root: string;

  beforeEach(() => {
    temp = tempDir('ess-h1-temp-folders-');
    root = path.join(temp.dir, 'uploads');
    mkdirSync(root);
  });
  afterEach(() => temp.cleanup());

  it.each([
    ['the maker ends first', [0, 1]],
    ['the maker ends last', [1, 0]],
  ])('%s: no folder is left', async (_label, order) => {
    const first = await openTempFile(path.join(root, 'new', 'dir', 'a.txt'));
    const second = await openTempFile(path.join(root, 'new', 'dir', 'b.txt'));
    const opened = [first, second];
    for (const index of order) {
      const each = opened[index];
      if (each === undefined) throw new Error('no temp file');
      await each.handle.close();
      await removeTempFile(each.tempPath);
    }
    expect(existsSync(path.join(root, 'new'))).toBe(false);
    expect(readdirSync(root)).toEqual([]);
  });

  it('a folder that was there before both is kept', async () => {
    mkdirSync(path.join(root, 'kept'));
    const first = await openTempFile(path.join(root, 'kept', 'dir', 'a.txt'));
    const second = await openTempFile(path.join(root, 'kept', 'dir', 'b.txt'));
    for (const each of [first, second]) {
      await each.handle.close();
      await removeTempFile(each.tempPath);
    }
    expect(readdirSync(root)).toEqual(['kept']);
    expect(readdirSync(path.join(root, 'kept'))).toEqual([]);
  });
});
