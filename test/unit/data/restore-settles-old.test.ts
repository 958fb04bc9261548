import { copyFileSync, existsSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { settleOldDatabase } from '../../../lib/data/backup';
import { tempDir } from '../../helpers/temp';

// restore --force removes the old database's -wal, -shm and -journal before it
// renames the restored file in. Stopped between the two (Ctrl-C, a kill), it
// left the old database without the transactions its WAL held. The old file is
// now settled first: its WAL checkpointed into it, a hot journal rolled back.
describe('settleOldDatabase, before a restore removes the side files', () => {
  const dirs: { cleanup(): void }[] = [];
  afterEach(() => dirs.splice(0).forEach((d) => d.cleanup()));

  /** A copy of a database taken while its WAL held rows not yet checkpointed (as a server stopped by a crash leaves it). */
  function crashedCopy(): string {
    const dir = tempDir('ess-settle-');
    dirs.push(dir);
    const live = path.join(dir.dir, 'live.db');
    const copy = path.join(dir.dir, 'app.db');
    const db = new Database(live);
    db.pragma('journal_mode = WAL');
    db.pragma('wal_autocheckpoint = 0');
    db.exec('CREATE TABLE t (x); INSERT INTO t VALUES (1), (2), (3)');
    copyFileSync(live, copy);
    copyFileSync(`${live}-wal`, `${copy}-wal`);
    db.close();
    return copy;
  }

  const rows = (file: string): unknown => {
    const db = new Database(file, { readonly: true });
    try {
      return db.prepare("SELECT count(*) FROM sqlite_master WHERE name = 't'").pluck().get() === 1 ? db.prepare('SELECT count(*) FROM t').pluck().get() : 'no table';
    } finally {
      db.close();
    }
  };

  it('checkpoints the WAL into the file, so removing the side files loses nothing', () => {
    const file = crashedCopy();
    settleOldDatabase(file);
    for (const side of ['-wal', '-shm']) rmSync(`${file}${side}`, { force: true });
    expect(rows(file)).toBe(3);
  });

  it('without it, the same removal loses the rows (what a stopped restore did)', () => {
    const file = crashedCopy();
    for (const side of ['-wal', '-shm']) rmSync(`${file}${side}`, { force: true });
    expect(rows(file)).toBe('no table');
  });

  it('leaves a file that is not a database, or has no side file, as it is', () => {
    const dir = tempDir('ess-settle-');
    dirs.push(dir);
    const junk = path.join(dir.dir, 'junk.db');
    writeFileSync(junk, 'not a database');
    writeFileSync(`${junk}-wal`, 'nor a wal');
    expect(() => settleOldDatabase(junk)).not.toThrow();
    expect(existsSync(path.join(dir.dir, 'missing.db'))).toBe(false);
    expect(() => settleOldDatabase(path.join(dir.dir, 'missing.db'))).not.toThrow();
  });
});
