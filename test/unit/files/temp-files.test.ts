import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { openTempFile, removeTempFile } from '../../../lib/files/atomic-file';
import { createFilePolicy } from '../../../lib/files/file-policy';
import { scanManifest } from '../../../lib/files/manifest';
import { ManifestCache } from '../../../lib/files/manifest-cache';
import { resolveSyncRoots } from '../../../lib/files/sync-roots';
import { isStaleTempFile, sweepStaleTempFilesSync } from '../../../lib/files/temp-files';
import { put } from '../../helpers/file-roots';
import { tempDir } from '../../helpers/temp';

/** The pid of a process that has exited. */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']);
  return Number(child.stdout.toString());
}

const HOUR = 3600_000;

describe('crash leftovers: which temp files are stale', () => {
  let temp: ReturnType<typeof tempDir>;
  beforeEach(() => {
    temp = tempDir();
  });
  afterEach(() => temp.cleanup());

  it.each([
    ['written by a process that is gone', () => `.a.txt.sync-tmp-${deadPid()}-abc123`, 0, true],
    ['written by this pid in an earlier life (not reserved now)', () => `.a.txt.sync-tmp-${process.pid}-abc123`, 0, true],
    ['written by a live process, recently', () => `.a.txt.sync-tmp-${process.ppid}-abc123`, 0, false],
    ['written by a live process, untouched for an hour', () => `.a.txt.sync-tmp-${process.ppid}-abc123`, HOUR, true],
    ['of the old name format, recent', () => '.a.txt.sync-tmp-0123abcd', 0, false],
    ['of the old name format, untouched for an hour', () => '.a.txt.sync-tmp-0123abcd', HOUR, true],
  ])('a temp file %s: stale %s', (_label, name, ageMs, stale) => {
    const absolute = path.join(temp.dir, name());
    expect(isStaleTempFile(absolute, { mtimeMs: Date.now() - ageMs })).toBe(stale);
  });

  it('never sweeps a temp file this process is writing, and sweeps it once released and left behind', async () => {
    mkdirSync(path.join(temp.dir, 'x')); // made by openTempFile, the folder would go with the temp file
    const { tempPath, handle } = await openTempFile(path.join(temp.dir, 'x', 'file.txt'));
    await handle.write('partial');
    expect(sweepStaleTempFilesSync(temp.dir)).toEqual([]);
    expect(existsSync(tempPath)).toBe(true);
    await handle.close();
    await removeTempFile(tempPath);
    writeFileSync(tempPath, 'left behind by an earlier process with our pid');
    expect(sweepStaleTempFilesSync(temp.dir)).toEqual([tempPath]);
  });

  it('opening a root and scanning it remove crash leftovers and keep every other file', async () => {
    const dead = deadPid();
    put(temp.dir, `uploads/deep/.photo.jpg.sync-tmp-${dead}-aaaaaaaaaaaa`, 'partial');
    put(temp.dir, 'uploads/photo.jpg', 'whole');
    put(temp.dir, 'uploads/.hidden', 'kept');
    const roots = resolveSyncRoots({ uploads: path.join(temp.dir, 'uploads') });
    expect(existsSync(path.join(temp.dir, `uploads/deep/.photo.jpg.sync-tmp-${dead}-aaaaaaaaaaaa`))).toBe(false);

    const late = put(temp.dir, `uploads/deep/.late.jpg.sync-tmp-${dead}-bbbbbbbbbbbb`, 'left while running');
    const old = put(temp.dir, `uploads/.old.txt.sync-tmp-${process.ppid}-cccccccccccc`, 'from a live process, long ago');
    utimesSync(old, new Date(Date.now() - HOUR), new Date(Date.now() - HOUR));
    const cache = new ManifestCache();
    try {
      const listed = await scanManifest(roots.get('uploads') ?? '', '', { policy: createFilePolicy(), cache });
      expect(listed.map((entry) => entry.path)).toEqual(['.hidden', 'photo.jpg']);
      expect([existsSync(late), existsSync(old)]).toEqual([false, false]);
    } finally {
      cache.close();
    }
  });

  it.each([
    ['budget.sync-tmp-2019-final.xlsx'],
    ['Thesis.sync-tmp-backup.docx'],
    ['.notes.sync-tmp-12-abc'],
    ['notes.txt.sync-tmp-123-0123456789ab'],
    ['.notes.txt.sync-tmp-123-0123456789ab.bak'],
    ['.notes.txt.sync-tmp-123-0123456789ab-journal.old'],
    ['.sync-tmp-123-0123456789ab'],
  ])('a user\'s own old file named %s, holding the marker but not our shape, is kept by the start-up sweep and by scans', async (name) => {
    const dead = deadPid();
    const user = put(temp.dir, `uploads/${name}`, 'precious user data');
    utimesSync(user, new Date(Date.now() - HOUR), new Date(Date.now() - HOUR));
    const ours = [`.a.txt.sync-tmp-${dead}-0123456789ab`, `.a.db.sync-tmp-${dead}-0123456789ab-wal`, `.${'x'.repeat(200)}~0a1b2c3d.sync-tmp-${dead}-0123456789ab`];
    for (const leftover of ours) put(temp.dir, `uploads/${leftover}`, 'partial');
    const roots = resolveSyncRoots({ uploads: path.join(temp.dir, 'uploads') });
    const cache = new ManifestCache();
    try {
      await scanManifest(roots.get('uploads') ?? '', '', { policy: createFilePolicy(), cache });
    } finally {
      cache.close();
    }
    expect(readFileSync(user, 'utf8')).toBe('precious user data');
    expect(ours.filter((file) => existsSync(path.join(temp.dir, 'uploads', file)))).toEqual([]);
  });

  it('a root that is a file is named plainly', () => {
    const file = put(temp.dir, 'not-a-folder', 'x');
    expect(() => resolveSyncRoots({ uploads: file })).toThrow(/roots\.uploads is .*not-a-folder, which is a file, not a folder/);
    expect(() => resolveSyncRoots({ uploads: path.join(file, 'below') })).toThrow(/roots\.uploads: cannot create the folder .*ENOTDIR/);
  });
});
