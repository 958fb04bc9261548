import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { backupDatabase, checkDatabaseFile, restoreDatabase } from '../../../lib/data/backup';
import { tempDb, type TempDb } from '../../helpers/data';
import { tempDir } from '../../helpers/temp';

// A database in rollback-journal mode whose server is in the middle of a write
// keeps readers out until it commits. Before, backup and restore said it was
// "not a SQLite database SQLite can read: database is locked" (NOT_A_DATABASE):
// a healthy database called damaged, to an operator about to restore it.
describe('backup and restore of a database another connection holds locked for a write', () => {
  let source: TempDb;
  let temp: ReturnType<typeof tempDir>;
  beforeAll(() => {
    source = tempDb("CREATE TABLE t (id TEXT PRIMARY KEY); INSERT INTO t VALUES ('x')");
    source.db.pragma('journal_mode = DELETE');
    temp = tempDir('ess-h3-locked-');
    source.db.exec("BEGIN EXCLUSIVE; INSERT INTO t VALUES ('being written')");
  });
  afterAll(() => {
    if (source.db.inTransaction) source.db.exec('ROLLBACK');
    source.cleanup();
    temp.cleanup();
  });

  const locked = { code: 'DATABASE_IN_USE', status: 409, message: expect.stringMatching(/locked by another connection[\s\S]*try again/) as unknown };

  it('backupDatabase is DATABASE_IN_USE saying so, and writes nothing', async () => {
    await expect(backupDatabase(source.file, path.join(temp.dir, 'backup.db'))).rejects.toMatchObject(locked);
    expect(readdirSync(temp.dir)).toEqual([]);
  });

  it('checkDatabaseFile and restoreDatabase are DATABASE_IN_USE too, never NOT_A_DATABASE', async () => {
    expect(() => checkDatabaseFile(source.file)).toThrow(expect.objectContaining(locked));
    await expect(restoreDatabase(source.file, path.join(temp.dir, 'restored', 'app.db'))).rejects.toMatchObject(locked);
    expect(existsSync(path.join(temp.dir, 'restored'))).toBe(false);
  });
});
