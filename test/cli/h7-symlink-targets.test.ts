import { lstatSync, mkdirSync, readlinkSync, symlinkSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { tempDir } from '../helpers/temp';
import { runCli } from '../helpers/h7-cli';

/** A database with one table `notes` holding `rows` rows. */
function makeDb(file: string, rows: number): void {
  const db = new Database(file);
  db.exec('CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)');
  const insert = db.prepare('INSERT INTO notes (body) VALUES (?)');
  for (let i = 0; i < rows; i += 1) insert.run(`note ${i}`);
  db.close();
}

function rowsOf(file: string): number {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    return (db.prepare('SELECT count(*) AS n FROM notes').get() as { n: number }).n;
  } finally {
    db.close();
  }
}

/**
 * An operator keeps the database (or the backups) on a mounted volume and a
 * symbolic link where the app expects the file (`instance/app.db -> /data/app.db`).
 * A backup or restore through the link writes the file it points to; before,
 * the rename put a regular file in place of the link and the volume kept the old data.
 */
describe('backup --out and restore --db given as a symbolic link write through it', () => {
  let temp: ReturnType<typeof tempDir>;
  let volume: string;
  let instance: string;
  beforeEach(() => {
    temp = tempDir();
    volume = path.join(temp.dir, 'volume');
    instance = path.join(temp.dir, 'instance');
    mkdirSync(volume);
    mkdirSync(instance);
    makeDb(path.join(temp.dir, 'live.db'), 3);
  });
  afterEach(() => temp.cleanup());

  it('backup --force --out <link to an older backup> replaces the older backup, keeping the link', async () => {
    makeDb(path.join(volume, 'latest.db'), 1);
    const link = path.join(instance, 'latest.db');
    symlinkSync(path.join(volume, 'latest.db'), link);
    const result = await runCli(['backup', '--db', path.join(temp.dir, 'live.db'), '--out', link, '--force', '--json']);
    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(lstatSync(link).isSymbolicLink()).toBe(true);
    expect(rowsOf(path.join(volume, 'latest.db'))).toBe(3);
  });

  it('backup --out <link to a file not there yet> creates the file it points to (a relative link)', async () => {
    const link = path.join(instance, 'latest.db');
    symlinkSync(path.join('..', 'volume', 'first.db'), link);
    const result = await runCli(['backup', '--db', path.join(temp.dir, 'live.db'), '--out', link, '--json']);
    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(readlinkSync(link)).toBe(path.join('..', 'volume', 'first.db'));
    expect(rowsOf(path.join(volume, 'first.db'))).toBe(3);
  });

  it('restore --force --db <link to the database on a volume> restores into the volume, keeping the link', async () => {
    makeDb(path.join(volume, 'app.db'), 7);
    const link = path.join(instance, 'app.db');
    symlinkSync(path.join(volume, 'app.db'), link);
    const result = await runCli(['restore', '--from', path.join(temp.dir, 'live.db'), '--db', link, '--force', '--json']);
    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(lstatSync(link).isSymbolicLink()).toBe(true);
    expect(rowsOf(path.join(volume, 'app.db'))).toBe(3);
  });

  it('restore --db <link to a -wal file> is TARGET_INVALID, as the -wal file named itself is', async () => {
    const link = path.join(instance, 'app.db');
    symlinkSync(path.join(volume, 'app.db-wal'), link);
    const result = await runCli(['restore', '--from', path.join(temp.dir, 'live.db'), '--db', link, '--json']);
    expect(result.code).toBe(1);
    expect(JSON.parse(result.stdout)).toMatchObject({ error: { code: 'TARGET_INVALID' } });
  });

  it('a loop of links is TARGET_INVALID, nothing written', async () => {
    const a = path.join(instance, 'a.db');
    const b = path.join(instance, 'b.db');
    symlinkSync(b, a);
    symlinkSync(a, b);
    const result = await runCli(['backup', '--db', path.join(temp.dir, 'live.db'), '--out', a, '--json']);
    expect(result.code).toBe(1);
    expect(JSON.parse(result.stdout)).toMatchObject({ error: { code: 'TARGET_INVALID', message: expect.stringMatching(/loop of links/) } });
    expect(lstatSync(a).isSymbolicLink() && lstatSync(b).isSymbolicLink()).toBe(true);
  });
});
