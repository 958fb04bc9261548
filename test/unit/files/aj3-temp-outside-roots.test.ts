import { mkdirSync, realpathSync, symlinkSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { tempParentOutsideRoots } from '../../../lib/files/temp-outside-roots';
import { resolveSyncRoots } from '../../../lib/files/sync-roots';
import { tempDir } from '../../helpers/temp';

describe('tempParentOutsideRoots', () => {
  let temp: ReturnType<typeof tempDir>;
  let roots: ReadonlyMap<string, string>;
  /** The OS temp folder as `TMPDIR` would set it (Node's os.tmpdir() reads the real environment, which jest's process.env is a copy of). */
  let tmpdir = '';
  beforeEach(() => {
    temp = tempDir('ess-aj3-temp-parent-');
    roots = resolveSyncRoots({ uploads: path.join(temp.dir, 'data', 'uploads'), config: path.join(temp.dir, 'data', 'config') });
    mkdirSync(path.join(temp.dir, 'elsewhere'));
    jest.spyOn(os, 'tmpdir').mockImplementation(() => tmpdir);
  });
  afterEach(() => {
    jest.restoreAllMocks();
    temp.cleanup();
  });

  it('is the OS temp folder when it is outside every root', () => {
    tmpdir = path.join(temp.dir, 'elsewhere');
    expect(tempParentOutsideRoots(roots, path.join(temp.dir, 'state'))).toBe(path.join(temp.dir, 'elsewhere'));
  });

  const insideForms: readonly (readonly [string, (dir: string) => string])[] = [
    ['a root itself', (dir) => path.join(dir, 'data', 'uploads')],
    ['a folder in a root', (dir) => path.join(dir, 'data', 'uploads', 'tmp')],
    ['a folder in a root not made yet', (dir) => path.join(dir, 'data', 'config', 'not', 'yet')],
    [
      'a folder not made yet under a symbolic link into a root',
      (dir) => {
        symlinkSync(path.join(dir, 'data', 'uploads'), path.join(dir, 'link'));
        return path.join(dir, 'link', 'not', 'yet');
      },
    ],
    [
      'a symbolic link into a root',
      (dir) => {
        symlinkSync(path.join(dir, 'data', 'uploads'), path.join(dir, 'link'));
        return path.join(dir, 'link');
      },
    ],
  ];
  it.each(insideForms)('is the state folder when TMPDIR is %s', (_form, folder) => {
    tmpdir = folder(temp.dir);
    expect(tempParentOutsideRoots(roots, path.join(temp.dir, 'state'))).toBe(path.join(temp.dir, 'state'));
  });

  it.each(insideForms)('refuses (507 SNAPSHOT_FAILED, naming the root and TMPDIR) when TMPDIR is %s and there is no state folder', (_form, folder) => {
    tmpdir = folder(temp.dir);
    const root = /config/.test(tmpdir) ? 'config' : 'uploads';
    expect(() => tempParentOutsideRoots(roots, undefined)).toThrow(
      expect.objectContaining({ code: 'SNAPSHOT_FAILED', status: 507, message: expect.stringContaining(`(TMPDIR) is inside the sync root "${root}" (${realpathSync(path.join(temp.dir, 'data', root))})`) as unknown }),
    );
  });

  it('refuses a state folder inside a root as well', () => {
    tmpdir = path.join(temp.dir, 'data', 'uploads');
    expect(() => tempParentOutsideRoots(roots, path.join(temp.dir, 'data', 'config', 'state'))).toThrow(expect.objectContaining({ code: 'SNAPSHOT_FAILED' }));
  });
});
