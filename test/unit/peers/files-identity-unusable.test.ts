import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { silentLogger } from '../../../lib/logger';
import { FilesIdentityKeeper } from '../../../lib/peers/client-files-identity';
import { FILES_IDENTITY_FILE, loadFilesIdentity } from '../../../lib/peers/files-identity';
import { SyncError } from '../../../lib/sync-error';
import { tempDir } from '../../helpers/temp';

/** What the constructor threw, or undefined. */
function thrownBy(stateDir: string): unknown {
  try {
    new FilesIdentityKeeper({ data: undefined, files: {} as never, stateDir, logger: silentLogger });
    return undefined;
  } catch (error) {
    return error;
  }
}

/**
 * A state folder where a server without data cannot keep its file-sync identity is this server's disk refusing a
 * write, not an option of the wrong type: the error says so with a code (as a file step's own disk failure does),
 * names the folder, and gives the fix that fits the cause (not "give a folder this server's user may write" for a
 * full disk or a folder standing where the file goes).
 */
describe('a state folder that cannot keep the file-sync identity', () => {
  let temp: ReturnType<typeof tempDir>;
  beforeEach(() => {
    temp = tempDir('ess-files-identity-unusable-');
  });
  afterEach(() => {
    jest.restoreAllMocks();
    temp.cleanup();
  });

  it.each([
    ['EACCES', 'STORAGE_NOT_WRITABLE', /may not change .*chown -R/],
    ['EPERM', 'STORAGE_NOT_WRITABLE', /may not change .*chown -R/],
    ['EROFS', 'STORAGE_NOT_WRITABLE', /read-only disk/],
    ['ENOSPC', 'INSUFFICIENT_STORAGE', /is full: free space there/],
  ])('%s while the identity is written: SyncError %s naming the folder and the fix', (errno, code, fix) => {
    const state = path.join(temp.dir, 'state');
    jest.spyOn(fs, 'openSync').mockImplementation((file) => {
      throw Object.assign(new Error(`${errno}: refused, open '${String(file)}'`), { code: errno, path: String(file) });
    });
    const error = thrownBy(state);
    expect(error).toBeInstanceOf(SyncError);
    expect(error).toMatchObject({ code });
    expect((error as Error).message).toContain(state);
    expect((error as Error).message).toMatch(fix);
    expect((error as Error).message).toContain(FILES_IDENTITY_FILE);
  });

  it('a folder standing where files-site.json goes: named, with the fix (remove it), nothing else removed', () => {
    const state = path.join(temp.dir, 'state');
    fs.mkdirSync(path.join(state, FILES_IDENTITY_FILE, 'inside'), { recursive: true });
    const error = thrownBy(state);
    expect(error).toBeInstanceOf(SyncError);
    expect(error).toMatchObject({ code: 'STORAGE_NOT_WRITABLE' });
    expect((error as Error).message).toContain(path.join(state, FILES_IDENTITY_FILE));
    expect((error as Error).message).toMatch(/not a file.*remove it/);
    expect(fs.existsSync(path.join(state, FILES_IDENTITY_FILE, 'inside'))).toBe(true);
  });
});

/**
 * What stands at files-site.json and is no regular file of an identity's size is no identity: never opened (a pipe
 * blocked the start for ever, a link to /dev/zero filled its memory, a huge file was read whole), and replaced by a
 * new identity whose rename replaces the entry itself, never what a link points at.
 */
describe('files-site.json that is no regular file of an identity', () => {
  let temp: ReturnType<typeof tempDir>;
  beforeEach(() => {
    temp = tempDir('ess-files-identity-hostile-');
  });
  afterEach(() => temp.cleanup());

  it.each([
    ['a link to /dev/zero', (file: string) => fs.symlinkSync('/dev/zero', file)],
    ['a link to another identity', (file: string, other: string) => {
      fs.writeFileSync(other, JSON.stringify({ version: 1, site: 'a'.repeat(32) }));
      fs.symlinkSync(other, file);
    }],
    ['a pipe', (file: string) => execFileSync('mkfifo', [file])],
    ['a huge file', (file: string) => fs.writeFileSync(file, `{"site":"${'b'.repeat(32)}"}${' '.repeat(64 * 1024 * 1024)}`)],
  ])('%s: not opened, replaced by a new identity (a link\'s target untouched)', (_kind, make) => {
    const state = path.join(temp.dir, 'state');
    fs.mkdirSync(state);
    const file = path.join(state, FILES_IDENTITY_FILE);
    const other = path.join(temp.dir, 'other.json');
    make(file, other);
    const started = Date.now();
    const identity = loadFilesIdentity(state);
    expect(Date.now() - started).toBeLessThan(5_000);
    // Why the file was no identity, for the log (identity.unreadable).
    expect(identity).toEqual({ site: expect.stringMatching(/^[0-9a-f]{32}$/) as unknown, replaced: undefined, unreadable: expect.stringMatching(/^it is (not a regular file|larger than 4096 bytes)/) as unknown });
    expect(identity.site).not.toMatch(/^(a+|b+)$/);
    expect(fs.lstatSync(file).isFile()).toBe(true);
    expect(JSON.parse(fs.readFileSync(file, 'utf8'))).toMatchObject({ version: 1, site: identity.site });
    if (fs.existsSync(other)) expect(JSON.parse(fs.readFileSync(other, 'utf8'))).toEqual({ version: 1, site: 'a'.repeat(32) });
  });
});
