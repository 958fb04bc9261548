import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { backupDatabase, checkDatabaseFile, restoreDatabase } from '../../../lib/data/backup';
import { enableCapture } from '../../../lib/data/capture';
import { tempDir } from '../../helpers/temp';

/** A folder as it is: each file's name, bytes and modification time. */
function folderState(dir: string): Array<[string, string, number]> {
  return readdirSync(dir)
    .sort()
    .map((name) => {
      const file = path.join(dir, name);
      return [name, createHash('sha256').update(readFileSync(file)).digest('hex'), statSync(file).mtimeMs];
    });
}

describe('reading a WAL-mode database (a backup, a stopped server\'s) leaves its folder as it was: no -wal or -shm beside it', () => {
  let temp: ReturnType<typeof tempDir>;
  let backups: string;
  let backup: string;

  beforeEach(async () => {
    temp = tempDir();
    const liveFile = path.join(temp.dir, 'app.db');
    const live = new Database(liveFile);
    live.pragma('journal_mode = WAL');
    live.exec('CREATE TABLE notes (id TEXT PRIMARY KEY NOT NULL, body TEXT)');
    enableCapture(live, { tables: ['notes'] });
    live.prepare("INSERT INTO notes VALUES ('n1', 'kept')").run();
    backups = path.join(temp.dir, 'w');
    mkdirSync(backups);
    backup = path.join(backups, 'bk.db');
    await backupDatabase(liveFile, backup);
    live.close();
  });
  afterEach(() => temp.cleanup());

  it('the backup is a WAL-mode file (the case that left -wal and -shm behind)', () => {
    const header = readFileSync(backup).subarray(18, 20);
    expect([...header]).toEqual([2, 2]);
  });

  it('checkDatabaseFile and restoreDatabase: the backup folder is unchanged, the restored database complete', async () => {
    const before = folderState(backups);
    checkDatabaseFile(backup);
    expect(folderState(backups)).toEqual(before);
    const target = path.join(temp.dir, 'new', 'app.db');
    mkdirSync(path.dirname(target));
    const { siteId } = await restoreDatabase(backup, target);
    expect(folderState(backups)).toEqual(before);
    expect(siteId?.current).toMatch(/^[0-9a-f]{32}$/);
    const restored = new Database(target, { readonly: true });
    try {
      expect(restored.prepare('SELECT body FROM notes').pluck().all()).toEqual(['kept']);
    } finally {
      restored.close();
    }
  });

  it('backupDatabase of a stopped WAL-mode database: its folder is unchanged', async () => {
    const before = folderState(backups);
    await backupDatabase(backup, path.join(temp.dir, 'second.db'));
    expect(folderState(backups)).toEqual(before);
  });

  it('a WAL in use is read as it is: its rows are copied, its -wal and -shm stay', async () => {
    const writer = new Database(backup);
    try {
      writer.pragma('wal_autocheckpoint = 0');
      writer.prepare("INSERT INTO notes VALUES ('n2', 'in the wal')").run();
      const names = readdirSync(backups).sort();
      expect(names).toEqual(['bk.db', 'bk.db-shm', 'bk.db-wal']);
      checkDatabaseFile(backup);
      const target = path.join(temp.dir, 'from-wal.db');
      await restoreDatabase(backup, target);
      expect(readdirSync(backups).sort()).toEqual(names);
      const restored = new Database(target, { readonly: true });
      try {
        expect(restored.prepare('SELECT body FROM notes ORDER BY id').pluck().all()).toEqual(['kept', 'in the wal']);
      } finally {
        restored.close();
      }
    } finally {
      writer.close();
    }
  });
});
