import path from 'node:path';
import Database from 'better-sqlite3';
import { backupDatabase, restoreDatabase } from '../../../lib/data/backup';
import { enableCapture } from '../../../lib/data/capture';
import { tempDb, type TempDb } from '../../helpers/data';

// docs/API.md: the library equivalents of the CLI (`backupDatabase`,
// `restoreDatabase`, …) are "refused with DATABASE_IN_USE, as new-site-id,
// while another connection has the file open". Before, only the CLI checked:
// restoreDatabase(…, { overwrite: true }) put the backup in place under a
// running server, which went on writing into the replaced file, and every
// write it made after the restore was gone at its next start.
describe('replacing a database another connection has open, through the library', () => {
  let live: TempDb;
  let backup: string;
  beforeEach(async () => {
    live = tempDb('CREATE TABLE t (id TEXT PRIMARY KEY NOT NULL, v TEXT)');
    enableCapture(live.db, { tables: ['t'] });
    live.db.exec("INSERT INTO t VALUES ('a', 'in the backup')");
    backup = path.join(path.dirname(live.file), 'backup.db');
    await backupDatabase(live.file, backup);
    live.db.exec("INSERT INTO t VALUES ('b', 'written after the backup')");
  });
  afterEach(() => live.cleanup());

  /** The rows the database holds once its server restarted. */
  function rowsAfterRestart(): unknown[] {
    live.db.close();
    const again = new Database(live.file, { readonly: true });
    try {
      return again.prepare('SELECT id FROM t ORDER BY id').pluck().all();
    } finally {
      again.close();
    }
  }

  it('restoreDatabase with overwrite is DATABASE_IN_USE, and the running server loses nothing', async () => {
    await expect(restoreDatabase(backup, live.file, { overwrite: true })).rejects.toMatchObject({ code: 'DATABASE_IN_USE', status: 409 });
    live.db.exec("INSERT INTO t VALUES ('c', 'written by the running server')");
    expect(rowsAfterRestart()).toEqual(['a', 'b', 'c']);
  });

  it('backupDatabase with overwrite onto it is DATABASE_IN_USE too', async () => {
    const other = tempDb("CREATE TABLE t (id TEXT PRIMARY KEY NOT NULL, v TEXT); INSERT INTO t VALUES ('z', 'another database')");
    try {
      await expect(backupDatabase(other.file, live.file, { overwrite: true })).rejects.toMatchObject({ code: 'DATABASE_IN_USE', status: 409 });
    } finally {
      other.cleanup();
    }
    live.db.exec("INSERT INTO t VALUES ('c', 'written by the running server')");
    expect(rowsAfterRestart()).toEqual(['a', 'b', 'c']);
  });

  it('both still replace a database no connection has open', async () => {
    live.db.close();
    await expect(restoreDatabase(backup, live.file, { overwrite: true })).resolves.toMatchObject({ siteId: expect.anything() as unknown });
    expect(rowsAfterRestart()).toEqual(['a']);
  });
});
