import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import Database from 'better-sqlite3';
import { checkDatabaseFile } from '../../../lib/data/backup';
import { abandonPlacementSync, placeNewFile } from '../../../lib/files/place-new-file';
import { tempDir } from '../../helpers/temp';

// placeNewFile on a file system without hard links (link(2) fails through a spy on node:fs/promises'
// link): the name is held by a placeholder, then the copy is renamed over it. What a crash or a
// signal between the steps leaves must never be taken for a database, and is cleaned by the signal's clean-up.

const realRename: typeof fsp.rename = fsp.rename.bind(fsp);
const realOpen: typeof fsp.open = fsp.open.bind(fsp);

function withoutHardLinks(): void {
  jest.spyOn(fsp, 'link').mockRejectedValue(Object.assign(new Error('EPERM: operation not permitted, link'), { code: 'EPERM', syscall: 'link' }));
}

const taken = (): Error => Object.assign(new Error('taken'), { code: 'TARGET_EXISTS' });

describe('placeNewFile without hard links', () => {
  let temp: ReturnType<typeof tempDir>;
  let copy: string;
  let target: string;
  beforeEach(() => {
    temp = tempDir('ess-af5-place-');
    copy = path.join(temp.dir, '.app.db.sync-tmp-1-000000000000');
    const db = new Database(copy);
    db.exec("CREATE TABLE t (x); INSERT INTO t VALUES ('copied')");
    db.close();
    target = path.join(temp.dir, 'app.db');
  });
  afterEach(() => {
    jest.restoreAllMocks();
    temp.cleanup();
  });

  it('puts the copy in place whole, tells onPlaced once, leaves no temp file', async () => {
    withoutHardLinks();
    const told = jest.fn();
    await placeNewFile(copy, target, { taken, onPlaced: told });
    expect(told).toHaveBeenCalledTimes(1);
    expect(() => checkDatabaseFile(target)).not.toThrow();
    expect(readdirSync(temp.dir)).toEqual(['app.db']);
  });

  it('stopped between holding the name and the rename: the target is a placeholder SQLite refuses, and the signal clean-up removes it', async () => {
    withoutHardLinks();
    let renaming = false;
    jest.spyOn(fsp, 'rename').mockImplementation(() => {
      renaming = true;
      return new Promise<void>(() => undefined); // the process stops here (crash, or a signal handled now)
    });
    void placeNewFile(copy, target, { taken });
    for (let waited = 0; !renaming && waited < 5000; waited += 5) await new Promise((resolve) => setTimeout(resolve, 5));
    expect(renaming).toBe(true);
    // A crash now leaves this at the target: a line of text, which SQLite refuses; never an empty or partial database.
    expect(readFileSync(target, 'utf8')).toMatch(/^express-sqlite-sync \(run \d+-[0-9a-f]{12}\): this name is held while a copy is put in place; this file is not a database\./);
    expect(() => new Database(target, { readonly: true, fileMustExist: true }).pragma('schema_version')).toThrow(expect.objectContaining({ code: 'SQLITE_NOTADB' }));
    expect(() => checkDatabaseFile(target)).toThrow(expect.objectContaining({ code: 'NOT_A_DATABASE' }));
    // A signal now: its clean-up removes the placeholder (the temp file is removed by removeOurTempFiles).
    expect(abandonPlacementSync(target)).toBe('removed');
    expect(existsSync(target)).toBe(false);
    expect(abandonPlacementSync(target)).toBeUndefined();
  });

  it('stopped after the rename, before it was told: the signal clean-up says placed and keeps the copy', async () => {
    withoutHardLinks();
    let renamed = false;
    jest.spyOn(fsp, 'rename').mockImplementation(async (from, to) => {
      await realRename(from, to);
      renamed = true;
      return new Promise<void>(() => undefined);
    });
    void placeNewFile(copy, target, { taken });
    for (let waited = 0; !renamed && waited < 5000; waited += 5) await new Promise((resolve) => setTimeout(resolve, 5));
    expect(abandonPlacementSync(target)).toBe('placed');
    expect(() => checkDatabaseFile(target)).not.toThrow();
  });

  it('a placeholder another process replaced before the rename: taken, its file kept', async () => {
    withoutHardLinks();
    jest.spyOn(fsp, 'open').mockImplementation(async (file, flags, mode) => {
      const handle = await realOpen(file, flags, mode);
      if (flags !== 'wx') return handle;
      const close = handle.close.bind(handle);
      handle.close = async () => {
        await close();
        rmSync(target);
        writeFileSync(target, 'another process');
      };
      return handle;
    });
    await expect(placeNewFile(copy, target, { taken })).rejects.toMatchObject({ code: 'TARGET_EXISTS' });
    expect(readFileSync(target, 'utf8')).toBe('another process');
    expect(abandonPlacementSync(target)).toBeUndefined();
  });

  it('a rename that fails removes the placeholder: the name is left as it was found', async () => {
    withoutHardLinks();
    jest.spyOn(fsp, 'rename').mockRejectedValue(Object.assign(new Error('EIO: i/o error, rename'), { code: 'EIO' }));
    await expect(placeNewFile(copy, target, { taken })).rejects.toMatchObject({ code: 'EIO' });
    expect(existsSync(target)).toBe(false);
  });

  it('another link error (EACCES) is thrown as it is, nothing made', async () => {
    jest.spyOn(fsp, 'link').mockRejectedValue(Object.assign(new Error('EACCES: permission denied, link'), { code: 'EACCES' }));
    await expect(placeNewFile(copy, target, { taken })).rejects.toMatchObject({ code: 'EACCES' });
    expect(existsSync(target)).toBe(false);
  });
});
