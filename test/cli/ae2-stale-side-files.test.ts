import { copyFileSync, existsSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { runCli } from '../helpers/h7-cli';
import { tempDir } from '../helpers/temp';

// `rm data/instance/app.db` (the -wal and -shm of a server killed earlier left beside it), then a backup or a
// restore to that path: the copy was put in place and said done, and SQLite applied the stale -wal to it at its
// first open, so the "restored" database read as the deleted one (its tables, none of the backup's). join refused
// such a target already; backup and restore now do too (TARGET_EXISTS), and remove the side files with --force.
describe('backup and restore to a path whose -wal is left from a deleted database', () => {
  let temp: ReturnType<typeof tempDir>;
  let backup: string;
  let target: string;
  beforeEach(() => {
    temp = tempDir('ess-ae2-side-');
    backup = path.join(temp.dir, 'backup.db');
    const good = new Database(backup);
    good.exec("CREATE TABLE notes (id TEXT PRIMARY KEY NOT NULL, body TEXT); INSERT INTO notes VALUES ('n1', 'kept')");
    good.close();
    // The deleted database: its writes still in its -wal (a server killed before a checkpoint).
    target = path.join(temp.dir, 'app.db');
    const old = new Database(target);
    old.pragma('journal_mode = WAL');
    old.pragma('wal_autocheckpoint = 0');
    old.exec("CREATE TABLE junk (x TEXT); INSERT INTO junk VALUES ('old')");
    copyFileSync(`${target}-wal`, path.join(temp.dir, 'stale-wal'));
    old.close();
    rmSync(target);
    copyFileSync(path.join(temp.dir, 'stale-wal'), `${target}-wal`);
  });
  afterEach(() => temp.cleanup());

  const tablesOf = (file: string): string[] => {
    const db = new Database(file, { readonly: true, fileMustExist: true });
    try {
      return (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all() as { name: string }[]).map((row) => row.name);
    } finally {
      db.close();
    }
  };

  it.each([
    ['backup', () => ['backup', '--db', backup, '--out', target]],
    ['restore', () => ['restore', '--from', backup, '--db', target]],
  ])('%s refuses it (TARGET_EXISTS), nothing placed, the -wal kept', async (_name, args) => {
    const stale = readFileSync(`${target}-wal`);
    const result = await runCli([...args(), '--json']);
    expect(result.code).toBe(1);
    expect(JSON.parse(result.stdout)).toMatchObject({ error: { code: 'TARGET_EXISTS' } });
    expect(result.stderr).toContain(`${target}-wal exists beside no database`);
    expect(existsSync(target)).toBe(false);
    expect(readFileSync(`${target}-wal`).equals(stale)).toBe(true);
  });

  it.each([
    ['backup', () => ['backup', '--db', backup, '--out', target, '--force']],
    ['restore', () => ['restore', '--from', backup, '--db', target, '--force']],
  ])('%s --force removes it: the copy reads as the backup', async (_name, args) => {
    const result = await runCli(args());
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(existsSync(`${target}-wal`)).toBe(false);
    expect(tablesOf(target)).toContain('notes');
    expect(tablesOf(target)).not.toContain('junk');
  });
});
