import { createHash } from 'node:crypto';
import fs, { existsSync, rmSync, statSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import Database from 'better-sqlite3';
import path from 'node:path';
import { createFilePolicy } from '../../../lib/files/file-policy';
import { listManifest, scanManifest } from '../../../lib/files/manifest';
import { ManifestCache } from '../../../lib/files/manifest-cache';
import { JOURNAL_BYTES, put, SQLITE_BYTES, WAL_BYTES } from '../../helpers/file-roots';
import { tempDir } from '../../helpers/temp';

const sha = (content: string | Buffer): string => createHash('sha256').update(content).digest('hex');
const AN_HOUR_AGO = new Date(Date.now() - 3600_000);

describe('scanManifest', () => {
  let temp: ReturnType<typeof tempDir>;
  let root: string;
  const policy = createFilePolicy();

  beforeEach(() => {
    temp = tempDir();
    root = path.join(temp.dir, 'root');
    put(root, 'settings.json', '{"a":1}');
    put(root, 'deep/er/notes.txt', 'notes');
    put(root, 'app.db', SQLITE_BYTES);
    put(root, 'app.db-wal', WAL_BYTES);
    put(root, 'app.db-shm', 'shm');
    put(root, 'app.db-journal', JOURNAL_BYTES);
    put(root, 'app.db-syncmark', '{"site":"00","seq":1,"mark":"00"}');
    put(root, 'write.lock', '');
    put(root, 'disguised.png', SQLITE_BYTES);
    put(root, 'deep/.photo.jpg.sync-tmp-0123', 'partial');
    put(temp.dir, 'outside/secret.txt', 'secret');
    symlinkSync(path.join(temp.dir, 'outside', 'secret.txt'), path.join(root, 'escape.txt'));
    symlinkSync(path.join(temp.dir, 'outside'), path.join(root, 'escape-dir'));
    symlinkSync(path.join(root, 'settings.json'), path.join(root, 'alias.json'));
  });
  afterEach(() => temp.cleanup());

  it('lists regular files with size, mtime and sha256, sorted, and nothing else', async () => {
    const files = await scanManifest(root, '', { policy, cache: new ManifestCache() });
    expect(files.map((file) => file.path)).toEqual(['alias.json', 'deep/er/notes.txt', 'settings.json']);
    const settings = files.find((file) => file.path === 'settings.json');
    expect(settings).toEqual({
      path: 'settings.json',
      size: 7,
      mtimeMs: statSync(path.join(root, 'settings.json')).mtimeMs,
      sha256: sha('{"a":1}'),
    });
  });

  it('lists a folder under the root with root-relative paths', async () => {
    const files = await scanManifest(root, 'deep', { policy, cache: new ManifestCache() });
    expect(files.map((file) => file.path)).toEqual(['deep/er/notes.txt']);
  });

  it('answers an unchanged file from the cache without reading it again', async () => {
    const file = path.join(root, 'settings.json');
    utimesSync(file, AN_HOUR_AGO, AN_HOUR_AGO);
    const cache = new ManifestCache({ watchDirectories: false }); // every file is stat'ed again: only the digest comes from the cache
    await scanManifest(root, '', { policy, cache });
    const read = jest.spyOn(fs, 'readFileSync');
    try {
      const again = await scanManifest(root, '', { policy, cache });
      expect(again.find((entry) => entry.path === 'settings.json')?.sha256).toBe(sha('{"a":1}'));
      expect(read.mock.calls.map(([name]) => String(name))).not.toContain(file);
    } finally {
      read.mockRestore();
    }
  });

  it('re-hashes a file rewritten in place with its size and mtime kept (its change time moved)', async () => {
    const file = path.join(root, 'settings.json');
    utimesSync(file, AN_HOUR_AGO, AN_HOUR_AGO);
    const cache = new ManifestCache();
    await scanManifest(root, '', { policy, cache });
    writeFileSync(file, '{"b":2}'); // same size, same inode
    utimesSync(file, AN_HOUR_AGO, AN_HOUR_AGO); // mtime put back, as `cp -p` or `touch -r` do
    const again = await scanManifest(root, '', { policy, cache });
    expect(again.find((entry) => entry.path === 'settings.json')?.sha256).toBe(sha('{"b":2}'));
  });

  it('re-hashes a file whose mtime or size changed', async () => {
    const file = path.join(root, 'settings.json');
    utimesSync(file, AN_HOUR_AGO, AN_HOUR_AGO);
    const cache = new ManifestCache();
    await scanManifest(root, '', { policy, cache });
    writeFileSync(file, '{"b":2}');
    const changedMtime = await scanManifest(root, '', { policy, cache });
    expect(changedMtime.find((entry) => entry.path === 'settings.json')?.sha256).toBe(sha('{"b":2}'));
    writeFileSync(file, '{"b":22}');
    utimesSync(file, AN_HOUR_AGO, AN_HOUR_AGO);
    const changedSize = await scanManifest(root, '', { policy, cache });
    expect(changedSize.find((entry) => entry.path === 'settings.json')?.sha256).toBe(sha('{"b":22}'));
  });

  it('does not trust the cache for a file changed within the racy window', async () => {
    const file = path.join(root, 'settings.json');
    const cache = new ManifestCache();
    await scanManifest(root, '', { policy, cache });
    const { mtime } = statSync(file);
    writeFileSync(file, '{"c":3}');
    utimesSync(file, mtime, mtime); // same size, same (recent) mtime
    const again = await scanManifest(root, '', { policy, cache });
    expect(again.find((entry) => entry.path === 'settings.json')?.sha256).toBe(sha('{"c":3}'));
  });

  it('leaves out a file that turns into database content', async () => {
    const cache = new ManifestCache();
    await scanManifest(root, '', { policy, cache });
    writeFileSync(path.join(root, 'deep/er/notes.txt'), SQLITE_BYTES);
    const files = await scanManifest(root, '', { policy, cache });
    expect(files.map((file) => file.path)).toEqual(['alias.json', 'settings.json']);
  });

  it('forgets the digests of deleted files', async () => {
    for (const name of ['settings.json', 'deep/er/notes.txt']) utimesSync(path.join(root, name), AN_HOUR_AGO, AN_HOUR_AGO);
    const cache = new ManifestCache();
    await scanManifest(root, '', { policy, cache });
    expect(cache.size).toBe(3); // settings.json, its alias, notes.txt
    rmSync(path.join(root, 'deep/er/notes.txt'));
    await scanManifest(root, '', { policy, cache });
    expect(cache.size).toBe(2);
  });

  it('leaves out a live WAL database named without an extension, with its -wal and -shm', async () => {
    const db = new Database(path.join(root, 'store'));
    db.pragma('journal_mode = WAL');
    db.exec('CREATE TABLE t (x); INSERT INTO t VALUES (1)');
    try {
      expect(existsSync(path.join(root, 'store-wal')) && existsSync(path.join(root, 'store-shm'))).toBe(true);
      writeFileSync(path.join(root, 'store-syncmark'), '{"site":"00","seq":1,"mark":"00"}');
      const files = await scanManifest(root, '', { policy, cache: new ManifestCache() });
      expect(files.map((file) => file.path).filter((name) => name.startsWith('store'))).toEqual([]);
    } finally {
      db.close();
    }
  });

  it('streams large files and still refuses large database content', async () => {
    const big = Buffer.alloc(3 * 1024 * 1024, 7);
    put(root, 'big.bin', big);
    put(root, 'big-disguised.bin', Buffer.concat([SQLITE_BYTES, big]));
    const files = await scanManifest(root, '', { policy, cache: new ManifestCache() });
    expect(files.find((file) => file.path === 'big.bin')?.sha256).toBe(sha(big));
    expect(files.some((file) => file.path === 'big-disguised.bin')).toBe(false);
  });

  // Found by a hostile probe (helper w1): `mv uploads uploads.old` while a peer's round listed it gave a 200 with
  // the files read before the move only; the peer took the others for deleted and deleted its copies.
  it.each([
    ['moved away', (dir: string) => fs.renameSync(dir, `${dir}.old`)],
    ['replaced by another folder', (dir: string) => (fs.renameSync(dir, `${dir}.old`), fs.mkdirSync(dir))],
  ])('refuses a root %s while it is listed: no partial listing (ROOT_MISSING)', async (_name, move) => {
    put(root, 'big/big.bin', Buffer.alloc(8 * 1024 * 1024, 7)); // hashed in slices: the scan awaits
    for (let i = 0; i < 20; i += 1) put(root, `z${i}/file.txt`, `file ${i}`);
    const scanning = scanManifest(root, '', { policy, cache: new ManifestCache(), rootName: 'uploads' });
    move(root);
    await expect(scanning).rejects.toMatchObject({ code: 'ROOT_MISSING', status: 409, message: expect.stringContaining('moved away or replaced while it was listed') as unknown });
  });

  it('still lists a folder that is not there as empty, and a root left in place in full', async () => {
    expect(await scanManifest(root, 'not-there', { policy, cache: new ManifestCache() })).toEqual([]);
    expect((await scanManifest(root, '', { policy, cache: new ManifestCache() })).map((file) => file.path)).toContain('deep/er/notes.txt');
  });

  // Found by a hostile probe (helper w1): files moved to another disk and linked back vanished from the listing without a word.
  it('reports the symbolic links it leaves out in the root\'s name problems: one leaving the root, one to a folder', async () => {
    const cache = new ManifestCache();
    const files = await scanManifest(root, '', { policy, cache, rootName: 'uploads' });
    expect(files.map((file) => file.path)).not.toContain('escape.txt');
    const [report] = cache.names.list();
    const reasons = Object.fromEntries((report?.unsyncable ?? []).map((name) => [name.path, name.reason]));
    expect(reasons).toMatchObject({ 'escape.txt': 'a symbolic link that leaves the root: not synced', 'escape-dir': 'a symbolic link that leaves the root: not synced' });
  });

  // Helper x4: a link to nothing (its disk unplugged) was left out of sync, so its path stopped syncing, with no word anywhere.
  it('reports a link to nothing too, and names every link it leaves out in leftOut', async () => {
    symlinkSync(path.join(temp.dir, 'unplugged', 'photo.jpg'), path.join(root, 'dangling.jpg'));
    const cache = new ManifestCache();
    const listing = await listManifest(root, '', { policy, cache, rootName: 'uploads' });
    expect(listing.leftOut).toEqual(['dangling.jpg', 'escape-dir', 'escape.txt']);
    const reasons = Object.fromEntries((cache.names.list()[0]?.unsyncable ?? []).map((name) => [name.path, name.reason]));
    expect(reasons['dangling.jpg']).toMatch(/^a symbolic link that points to nothing/);
  });
});
