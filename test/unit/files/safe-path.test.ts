import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseSyncPath, resolveSyncPath } from '../../../lib/files/safe-path';
import { resolveSyncRoots } from '../../../lib/files/sync-roots';
import { SyncError } from '../../../lib/sync-error';
import { tempDir } from '../../helpers/temp';

describe('parseSyncPath', () => {
  it.each([
    ['uploads/a.txt', 'uploads', ['a.txt']],
    ['uploads', 'uploads', []],
    ['uploads/deep/er/photo 1.jpg', 'uploads', ['deep', 'er', 'photo 1.jpg']],
    ['uploads/50%.pdf', 'uploads', ['50%.pdf']],
    ['uploads/équipe.txt', 'uploads', ['équipe.txt']],
  ])('accepts %j', (input, root, segments) => {
    expect(parseSyncPath(input)).toEqual({ root, segments });
  });

  it.each([
    ['not a string', ['a', 'b']],
    ['undefined', undefined],
    ['empty', ''],
    ['absolute', '/etc/passwd'],
    ['dot-dot', 'uploads/../secret'],
    ['dot', 'uploads/./a'],
    ['encoded dot-dot', 'uploads/%2e%2e/secret'],
    ['double-encoded dot-dot', 'uploads/%252e%252e/secret'],
    ['encoded slash traversal', 'uploads/..%2fsecret'],
    ['backslash', 'uploads\\a.txt'],
    ['encoded backslash', 'uploads/%5c..%5csecret'],
    ['NUL', 'uploads/a\u0000.txt'],
    ['encoded NUL', 'uploads/a%00.txt'],
    ['newline', 'uploads/a\n.txt'],
    ['DEL', 'uploads/a\u007f'],
    ['not NFC', 'uploads/e\u0301.txt'],
    ['empty segment', 'uploads//a.txt'],
    ['trailing slash', 'uploads/a/'],
    ['trailing dot', 'uploads/a.'],
    ['trailing space', 'uploads/a '],
    ['colon (NTFS stream)', 'uploads/a.txt:evil'],
    ['Windows device', 'uploads/CON'],
    ['too long', `uploads/${'a'.repeat(1100)}`],
    ['segment too long', `uploads/${'a'.repeat(256)}`],
    ['temp file name', 'uploads/.a.txt.sync-tmp-abc'],
  ])('refuses %s', (_label, input) => {
    expect(() => parseSyncPath(input)).toThrow(SyncError);
    try {
      parseSyncPath(input);
    } catch (error) {
      expect((error as SyncError).code).toBe('BAD_PATH');
      expect((error as SyncError).status).toBe(400);
    }
  });
});

describe('resolveSyncPath', () => {
  let temp: ReturnType<typeof tempDir>;
  let roots: ReadonlyMap<string, string>;

  beforeEach(() => {
    temp = tempDir();
    roots = resolveSyncRoots({ uploads: path.join(temp.dir, 'uploads') });
    mkdirSync(path.join(temp.dir, 'outside'));
    writeFileSync(path.join(temp.dir, 'outside', 'secret.txt'), 'secret');
  });
  afterEach(() => temp.cleanup());

  it('resolves a path inside its root, existing or not', async () => {
    const resolved = await resolveSyncPath(roots, 'uploads/new/dir/file.txt', true);
    expect(resolved.absolute).toBe(path.join(roots.get('uploads') ?? '', 'new', 'dir', 'file.txt'));
    expect(resolved.relative).toBe('new/dir/file.txt');
  });

  it('refuses an unknown root with 404 and the known roots', async () => {
    await expect(resolveSyncPath(roots, 'secrets/a.txt', true)).rejects.toMatchObject({ code: 'UNKNOWN_ROOT', status: 404 });
  });

  it('refuses a root alone where a file is needed', async () => {
    await expect(resolveSyncPath(roots, 'uploads', true)).rejects.toMatchObject({ code: 'BAD_PATH' });
  });

  it('refuses a symlinked folder that leads outside the root', async () => {
    symlinkSync(path.join(temp.dir, 'outside'), path.join(roots.get('uploads') ?? '', 'escape'));
    await expect(resolveSyncPath(roots, 'uploads/escape/secret.txt', true)).rejects.toMatchObject({ code: 'BAD_PATH' });
    await expect(resolveSyncPath(roots, 'uploads/escape/new.txt', true)).rejects.toMatchObject({ code: 'BAD_PATH' });
  });

  it('refuses a symlinked file that leads outside, and a dangling symlink', async () => {
    const uploads = roots.get('uploads') ?? '';
    symlinkSync(path.join(temp.dir, 'outside', 'secret.txt'), path.join(uploads, 'link.txt'));
    symlinkSync(path.join(temp.dir, 'nowhere'), path.join(uploads, 'dangling.txt'));
    await expect(resolveSyncPath(roots, 'uploads/link.txt', true)).rejects.toMatchObject({ code: 'BAD_PATH' });
    await expect(resolveSyncPath(roots, 'uploads/dangling.txt', true)).rejects.toMatchObject({ code: 'BAD_PATH' });
  });

  it('accepts a symlink that stays inside the root', async () => {
    const uploads = roots.get('uploads') ?? '';
    writeFileSync(path.join(uploads, 'real.txt'), 'x');
    symlinkSync(path.join(uploads, 'real.txt'), path.join(uploads, 'alias.txt'));
    await expect(resolveSyncPath(roots, 'uploads/alias.txt', true)).resolves.toMatchObject({ relative: 'alias.txt' });
  });
});

describe('resolveSyncRoots', () => {
  it.each([
    [null, TypeError],
    [['a'], TypeError],
    [{ '../x': '/tmp/x' }, RangeError],
    [{ 'a b': '/tmp/x' }, RangeError],
    [{ ok: 3 }, TypeError],
    [{ ok: '' }, TypeError],
  ])('refuses %j', (roots, type) => {
    expect(() => resolveSyncRoots(roots)).toThrow(type);
  });
});
