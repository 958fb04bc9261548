import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { backupDatabase, checkDatabaseFile, restoreDatabase } from '../../../lib/data/backup';
import { enableCapture } from '../../../lib/data/capture';
import { tempDir } from '../../helpers/temp';

function siteOf(file: string): string {
  const db = new Database(file, { readonly: true });
  try {
    return db.prepare('SELECT site FROM _sync_sites WHERE id = 0').pluck().get() as string;
  } finally {
    db.close();
  }
}

describe('backupDatabase, checkDatabaseFile, restoreDatabase (in-process, as the CLI calls them)', () => {
  let temp: ReturnType<typeof tempDir>;
  let live: Database.Database;
  let liveFile: string;

  beforeEach(() => {
    temp = tempDir();
    liveFile = path.join(temp.dir, 'app.db');
    live = new Database(liveFile);
    live.pragma('journal_mode = WAL');
    live.exec('CREATE TABLE notes (id TEXT PRIMARY KEY NOT NULL, body TEXT)');
    enableCapture(live, { tables: ['notes'] });
    live.prepare("INSERT INTO notes VALUES ('n1', 'kept')").run();
  });
  afterEach(() => {
    live.close();
    temp.cleanup();
  });

  it('copies a live database with the backup API, reporting progress, and restores it under a new site id', async () => {
    const out = path.join(temp.dir, 'backup.db');
    const seen: number[] = [];
    const { pages } = await backupDatabase(liveFile, out, { onProgress: (copied) => seen.push(copied) });
    expect(pages).toBeGreaterThan(0);
    expect(seen.at(-1)).toBe(pages);
    expect(() => checkDatabaseFile(out)).not.toThrow();

    const target = path.join(temp.dir, 'restored', 'app.db');
    mkdirSync(path.dirname(target));
    const { siteId } = await restoreDatabase(out, target);
    expect(siteId?.previous).toBe(siteOf(liveFile));
    expect(siteId?.current).not.toBe(siteId?.previous);
    const restored = new Database(target, { readonly: true });
    expect(restored.prepare('SELECT body FROM notes').pluck().get()).toBe('kept');
    restored.close();
    expect(readdirSync(path.dirname(target)).filter((name) => name.includes('sync-tmp'))).toEqual([]);
  });

  it('refuses a missing source, an existing target without overwrite, and a damaged backup, leaving nothing behind', async () => {
    await expect(backupDatabase(path.join(temp.dir, 'none.db'), path.join(temp.dir, 'x.db'))).rejects.toMatchObject({ code: 'NOT_FOUND' });
    writeFileSync(path.join(temp.dir, 'taken.db'), 'x');
    await expect(backupDatabase(liveFile, path.join(temp.dir, 'taken.db'))).rejects.toMatchObject({ code: 'TARGET_EXISTS' });
    const damaged = path.join(temp.dir, 'damaged.db');
    writeFileSync(damaged, Buffer.concat([Buffer.from('SQLite format 3\0', 'latin1'), Buffer.alloc(200, 7)]));
    expect(() => checkDatabaseFile(damaged)).toThrow(expect.objectContaining({ code: 'NOT_A_DATABASE' }));
    await expect(restoreDatabase(damaged, path.join(temp.dir, 'r.db'))).rejects.toMatchObject({ code: 'NOT_A_DATABASE' });
    await expect(restoreDatabase(liveFile, liveFile)).rejects.toMatchObject({ code: 'TARGET_EXISTS' });
    expect(existsSync(path.join(temp.dir, 'r.db'))).toBe(false);
  });

  it('creates the folder of the target, as the CLI\'s restore does (a fresh laptop), after the backup was checked', async () => {
    const out = path.join(temp.dir, 'backup.db');
    await backupDatabase(liveFile, out);
    const damaged = path.join(temp.dir, 'damaged.db');
    writeFileSync(damaged, 'not a database');
    await expect(restoreDatabase(damaged, path.join(temp.dir, 'never', 'app.db'))).rejects.toMatchObject({ code: 'NOT_A_DATABASE' });
    expect(existsSync(path.join(temp.dir, 'never'))).toBe(false);
    const target = path.join(temp.dir, 'fresh', 'instance', 'app.db');
    const { siteId } = await restoreDatabase(out, target);
    expect(siteId?.current).not.toBe(siteId?.previous);
    expect(() => checkDatabaseFile(target)).not.toThrow();
  });

  it('restores over an existing file with overwrite, removing its stale -wal/-shm', async () => {
    const out = path.join(temp.dir, 'backup.db');
    await backupDatabase(liveFile, out);
    const target = path.join(temp.dir, 'old.db');
    writeFileSync(target, 'old');
    writeFileSync(`${target}-wal`, 'stale');
    writeFileSync(`${target}-shm`, 'stale');
    await restoreDatabase(out, target, { overwrite: true });
    expect(existsSync(`${target}-wal`)).toBe(false);
    expect(existsSync(`${target}-shm`)).toBe(false);
    expect(() => checkDatabaseFile(target)).not.toThrow();
  });

  // Found by a hostile probe (helper w2): two runs to one new path both said they succeeded, the second
  // silently replacing the first (a rename replaces); without --force a file is never replaced.
  it('two backups, or two restores, to one new path at once: one is put in place, the other is TARGET_EXISTS', async () => {
    for (let i = 0; i < 200; i += 1) live.prepare('INSERT INTO notes VALUES (?, ?)').run(`b${i}`, 'x'.repeat(2000)); // several copy steps
    const out = path.join(temp.dir, 'twice.db');
    const backups = await Promise.allSettled([backupDatabase(liveFile, out), backupDatabase(liveFile, out)]);
    expect(backups.map((result) => result.status).sort()).toEqual(['fulfilled', 'rejected']);
    expect(backups.find((result) => result.status === 'rejected')).toMatchObject({ reason: { code: 'TARGET_EXISTS' } });
    const restoredPath = path.join(temp.dir, 'restored.db');
    const restores = await Promise.allSettled([restoreDatabase(out, restoredPath), restoreDatabase(out, restoredPath)]);
    expect(restores.map((result) => result.status).sort()).toEqual(['fulfilled', 'rejected']);
    expect(restores.find((result) => result.status === 'rejected')).toMatchObject({ reason: { code: 'TARGET_EXISTS' } });
    expect(() => checkDatabaseFile(restoredPath)).not.toThrow();
    expect(readdirSync(temp.dir).filter((name) => name.includes('sync-tmp'))).toEqual([]);
  });

  // Found by a hostile probe (helper w2): --force replaced a named pipe (or a device node) with a regular file.
  it('refuses a named pipe as the target, with or without overwrite: TARGET_INVALID, nothing written', async () => {
    const fifo = path.join(temp.dir, 'pipe');
    execFileSync('mkfifo', [fifo]);
    for (const overwrite of [false, true]) {
      await expect(backupDatabase(liveFile, fifo, { overwrite })).rejects.toMatchObject({ code: 'TARGET_INVALID', message: expect.stringContaining('is a named pipe') as unknown });
      await expect(restoreDatabase(liveFile, fifo, { overwrite })).rejects.toMatchObject({ code: 'TARGET_INVALID' });
    }
    expect(statSync(fifo).isFIFO()).toBe(true);
  });
});
