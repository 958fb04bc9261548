import { symlinkSync } from 'node:fs';
import path from 'node:path';
import { createFilePolicy } from '../../../lib/files/file-policy';
import { listManifest } from '../../../lib/files/manifest';
import { ManifestCache } from '../../../lib/files/manifest-cache';
import { put } from '../../helpers/file-roots';
import { tempDir } from '../../helpers/temp';

// Found by helper ac3: a link to the root's own folder (`inner -> .`, a shortcut an
// operator makes) was reported in fileNameProblems as "a symbolic link that leaves
// the root", sending the operator to look for a target outside it. It is a link to
// a folder, and is said to be one (its target is the root itself, not a path in it).
describe('a symbolic link to the root itself', () => {
  let temp: ReturnType<typeof tempDir>;
  let root: string;
  beforeEach(() => {
    temp = tempDir('ess-ac3-root-link-');
    root = path.join(temp.dir, 'uploads');
    put(root, 'a.txt', 'a');
    symlinkSync('.', path.join(root, 'inner'));
  });
  afterEach(() => temp.cleanup());

  it('is left out as a link to a folder, not as one leaving the root', async () => {
    const cache = new ManifestCache();
    const listing = await listManifest(root, '', { policy: createFilePolicy(), cache, rootName: 'uploads' });
    expect(listing.files.map((file) => file.path)).toEqual(['a.txt']);
    expect(listing.leftOut).toEqual(['inner']);
    expect(cache.names.list()[0]?.unsyncable).toEqual([{ path: 'inner', reason: 'a symbolic link to a folder: not entered' }]);
  });
});
