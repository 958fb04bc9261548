import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import Database from 'better-sqlite3';
import { backupDatabase, checkDatabaseFile, restoreDatabase } from '../../../lib/data/backup';
import { tempDir } from '../../helpers/temp';

// backup and restore put the finished copy in place with a hard link, which never replaces a name.
// A file system without hard links (vfat or exFAT on a USB stick, some network shares and FUSE
// mounts) fails link(2) with EPERM, ENOTSUP, ENOSYS (or EXDEV): the copy then went in place by a look at
// the name and a rename, and a file made between the two was replaced. Here link fails through a spy on
// the very function the code calls (node:fs/promises' link); real files in a temp folder.

type Link = typeof fsp.link;
const realLink: Link = fsp.link.bind(fsp);
const realRename: typeof fsp.rename = fsp.rename.bind(fsp);

/** A link(2) that fails with `code`, as on a file system without hard links (after `before`, if given). */
function linkFails(code: string, before?: (target: string) => void): void {
  jest.spyOn(fsp, 'link').mockImplementation(async (existing, target) => {
    before?.(String(target));
    throw Object.assign(new Error(`${code}: operation not permitted, link '${String(existing)}' -> '${String(target)}'`), { code, syscall: 'link' });
  });
}

function notesOf(file: string): unknown[] {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    return db.prepare('SELECT id, body FROM notes ORDER BY id').all();
  } finally {
    db.close();
  }
}

describe('backupDatabase and restoreDatabase onto a file system without hard links', () => {
  let temp: ReturnType<typeof tempDir>;
  let source: string;
  let usb: string;
  beforeEach(() => {
    temp = tempDir('ess-af5-unit-no-links-');
    source = path.join(temp.dir, 'app.db');
    const db = new Database(source);
    db.exec('CREATE TABLE notes (id TEXT PRIMARY KEY NOT NULL, body TEXT)');
    db.prepare("INSERT INTO notes VALUES ('n1', 'kept')").run();
    db.close();
    usb = path.join(temp.dir, 'usb');
    mkdirSync(usb);
  });
  afterEach(() => {
    jest.restoreAllMocks();
    temp.cleanup();
  });

  it.each(['EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'ENOSYS', 'EXDEV'])('link fails with %s: the backup and the restore are put in place whole, nothing else is left', async (code) => {
    linkFails(code);
    const out = path.join(usb, 'before-finals.db');
    await backupDatabase(source, out);
    expect(() => checkDatabaseFile(out)).not.toThrow();
    expect(notesOf(out)).toEqual([{ id: 'n1', body: 'kept' }]);
    const restored = path.join(usb, 'restored.db');
    await restoreDatabase(out, restored);
    expect(() => checkDatabaseFile(restored)).not.toThrow();
    expect(notesOf(restored)).toEqual([{ id: 'n1', body: 'kept' }]);
    expect(readdirSync(usb).sort()).toEqual(['before-finals.db', 'restored.db']);
  });

  it('two backups, or two restores, to one new path at once (link: EPERM): one is put in place, the other is TARGET_EXISTS', async () => {
    linkFails('EPERM');
    const db = new Database(source);
    const insert = db.prepare('INSERT INTO notes VALUES (?, ?)');
    for (let i = 0; i < 200; i += 1) insert.run(`b${i}`, 'x'.repeat(2000)); // several copy steps
    db.close();
    const out = path.join(usb, 'twice.db');
    const backups = await Promise.allSettled([backupDatabase(source, out), backupDatabase(source, out)]);
    expect(backups.map((result) => result.status).sort()).toEqual(['fulfilled', 'rejected']);
    expect(backups.find((result) => result.status === 'rejected')).toMatchObject({ reason: { code: 'TARGET_EXISTS' } });
    const restored = path.join(usb, 'restored.db');
    const restores = await Promise.allSettled([restoreDatabase(out, restored), restoreDatabase(out, restored)]);
    expect(restores.map((result) => result.status).sort()).toEqual(['fulfilled', 'rejected']);
    expect(restores.find((result) => result.status === 'rejected')).toMatchObject({ reason: { code: 'TARGET_EXISTS' } });
    expect(() => checkDatabaseFile(restored)).not.toThrow();
    expect(readdirSync(usb).sort()).toEqual(['restored.db', 'twice.db']);
  });

  it.each([
    ['backup', (target: string) => backupDatabase(source, target)],
    ['restore', (target: string) => restoreDatabase(source, target)],
  ])('%s: a file made at the target while the copy ran (link: EPERM) is kept, TARGET_EXISTS, no temp file', async (_name, run) => {
    const target = path.join(usb, 'taken.db');
    linkFails('EPERM', (at) => writeFileSync(at, 'made meanwhile'));
    await expect(run(target)).rejects.toMatchObject({ code: 'TARGET_EXISTS', status: 409 });
    expect(readFileSync(target, 'utf8')).toBe('made meanwhile');
    expect(readdirSync(usb)).toEqual(['taken.db']);
  });

  it.each([
    ['backup', (target: string) => backupDatabase(source, target)],
    ['restore', (target: string) => restoreDatabase(source, target)],
  ])('%s: a file made at the target with hard links working (a real EEXIST) is kept, TARGET_EXISTS, no temp file', async (_name, run) => {
    const target = path.join(usb, 'taken.db');
    jest.spyOn(fsp, 'link').mockImplementation(async (existing, at) => {
      writeFileSync(at, 'made meanwhile');
      return realLink(existing, at);
    });
    await expect(run(target)).rejects.toMatchObject({ code: 'TARGET_EXISTS', status: 409 });
    expect(readFileSync(target, 'utf8')).toBe('made meanwhile');
    expect(readdirSync(usb)).toEqual(['taken.db']);
  });

  // The race the look-then-rename lost: another writer that never replaces a file (`wx`, or a link) makes
  // the name just before the copy is renamed there. Its file must never be replaced: either its create is
  // refused (the name is held) and the copy is in place, or the copy is refused and its file kept.
  it.each([
    ['backup', (target: string) => backupDatabase(source, target)],
    ['restore', (target: string) => restoreDatabase(source, target)],
  ])('%s: another writer’s exclusive create just before the copy is renamed in place is never replaced', async (_name, run) => {
    const target = path.join(usb, 'race.db');
    linkFails('EPERM');
    let theirs: 'written' | 'refused' | undefined;
    jest.spyOn(fsp, 'rename').mockImplementation(async (from, to) => {
      if (String(to) === target && theirs === undefined) {
        try {
          writeFileSync(target, 'another writer', { flag: 'wx' });
          theirs = 'written';
        } catch (error) {
          if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
          theirs = 'refused';
        }
      }
      return realRename(from, to);
    });
    const outcome = await run(target).then(
      () => 'placed',
      (error: unknown) => (error as { code?: string }).code,
    );
    if (theirs === 'written') {
      expect(outcome).toBe('TARGET_EXISTS');
      expect(readFileSync(target, 'utf8')).toBe('another writer');
    } else {
      expect(theirs).toBe('refused');
      expect(outcome).toBe('placed');
      expect(notesOf(target)).toEqual([{ id: 'n1', body: 'kept' }]);
    }
    expect(readdirSync(usb)).toEqual(['race.db']);
  });
});
