import { createHash } from 'node:crypto';
import fs, { mkdirSync, renameSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { createFilePolicy } from '../../../lib/files/file-policy';
import { scanManifest } from '../../../lib/files/manifest';
import { ManifestCache } from '../../../lib/files/manifest-cache';
import { put } from '../../helpers/file-roots';
import { tempDir } from '../../helpers/temp';

const sha = (content: string): string => createHash('sha256').update(content).digest('hex');
const AN_HOUR_AGO = new Date(Date.now() - 3600_000);
const policy = createFilePolicy();

function age(root: string, ...relatives: string[]): void {
  for (const relative of relatives) utimesSync(path.join(root, relative), AN_HOUR_AGO, AN_HOUR_AGO);
}

describe('warm scans through watched listings', () => {
  let temp: ReturnType<typeof tempDir>;
  let root: string;
  let cache: ManifestCache;
  const scan = async (): Promise<Array<[string, string]>> => (await scanManifest(root, '', { policy, cache })).map((entry) => [entry.path, entry.sha256]);

  beforeEach(() => {
    temp = tempDir();
    root = path.join(temp.dir, 'root');
    put(root, 'a.txt', 'a');
    put(root, 'deep/b.txt', 'b');
    put(root, 'deep/er/c.txt', 'c');
    age(root, 'a.txt', 'deep/b.txt', 'deep/er/c.txt');
    cache = new ManifestCache();
  });
  afterEach(() => {
    jest.restoreAllMocks();
    cache.close();
    temp.cleanup();
  });

  it('lists an unchanged watched tree without a single lstat or read', async () => {
    const first = await scan();
    expect(cache.listings?.watching).toBe(3);
    const lstat = jest.spyOn(fs, 'lstatSync');
    const readdir = jest.spyOn(fs, 'readdirSync');
    expect(await scan()).toEqual(first);
    expect(lstat).not.toHaveBeenCalled();
    expect(readdir).not.toHaveBeenCalled();
  });

  it('sees a file changed just before the scan, in a nested folder', async () => {
    await scan();
    writeFileSync(path.join(root, 'deep/er/c.txt'), 'c, edited');
    expect(await scan()).toContainEqual(['deep/er/c.txt', sha('c, edited')]);
  });

  it('sees new, deleted and moved files and folders', async () => {
    await scan();
    put(root, 'deep/new.txt', 'new');
    rmSync(path.join(root, 'a.txt'));
    mkdirSync(path.join(root, 'fresh'));
    put(root, 'fresh/d.txt', 'd');
    expect((await scan()).map(([name]) => name)).toEqual(['deep/b.txt', 'deep/er/c.txt', 'deep/new.txt', 'fresh/d.txt']);
    // A folder moved away and another created under its name is read afresh.
    renameSync(path.join(root, 'deep/er'), path.join(root, 'moved'));
    put(root, 'deep/er/other.txt', 'other');
    expect((await scan()).map(([name]) => name)).toEqual(['deep/b.txt', 'deep/er/other.txt', 'deep/new.txt', 'fresh/d.txt', 'moved/c.txt']);
  });

  it('stops watching folders that are gone', async () => {
    await scan();
    expect(cache.listings?.watching).toBe(3);
    rmSync(path.join(root, 'deep'), { recursive: true });
    await scan();
    expect(cache.listings?.watching).toBe(1);
  });

  it('re-reads every directory once its listing is older than trustListingsForMs', async () => {
    cache.close();
    cache = new ManifestCache({ trustListingsForMs: 0 });
    await scan();
    const lstat = jest.spyOn(fs, 'lstatSync');
    await scan();
    expect(lstat).toHaveBeenCalledTimes(3);
  });

  it('never trusts a directory holding a symlink or a file changed within the racy window', async () => {
    fs.symlinkSync(path.join(root, 'a.txt'), path.join(root, 'deep/alias.txt'));
    put(root, 'deep/er/recent.txt', 'just written');
    await scan();
    const lstat = jest.spyOn(fs, 'lstatSync');
    await scan();
    const paths = lstat.mock.calls.map(([file]) => path.relative(root, String(file)));
    expect(paths.sort()).toEqual(['deep/b.txt', 'deep/er/c.txt', 'deep/er/recent.txt']);
  });

  it('works without watching: every scan stats every file', async () => {
    cache.close();
    cache = new ManifestCache({ watchDirectories: false });
    await scan();
    expect(cache.listings).toBeUndefined();
    const lstat = jest.spyOn(fs, 'lstatSync');
    expect(await scan()).toHaveLength(3);
    expect(lstat).toHaveBeenCalledTimes(3);
  });

  it('refuses bad options', () => {
    expect(() => new ManifestCache({ trustListingsForMs: -1 })).toThrow(RangeError);
    expect(() => new ManifestCache({ maxWatchedDirectories: 1.5 })).toThrow(/maxWatchedDirectories/);
    expect(() => new ManifestCache({ watchDirectory: false } as never)).toThrow(new TypeError('express-sqlite-sync: unknown option(s) watchDirectory for new ManifestCache; known options: watchDirectories, trustListingsForMs, maxWatchedDirectories, logger'));
  });
});
