import { execFileSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { backupDatabase, checkDatabaseFile, restoreDatabase } from '../../../lib/data/backup';
import { tempDir } from '../../helpers/temp';

// A server in rollback-journal mode that crashed (power cut, kill -9) in the
// middle of a write leaves a hot -journal beside its database; SQLite rolls it
// back at the next read-write open. Before, backup and restore opened such a
// file read-only and said it was "not a SQLite database SQLite can read:
// attempt to write a readonly database" (NOT_A_DATABASE), to an operator
// about to back it up after the crash.
const CRASH = `
const Database = require(process.argv[2]);
const db = new Database(process.argv[3]);
db.pragma('journal_mode = DELETE');
db.pragma('cache_size = 10');
db.exec("CREATE TABLE t (id INTEGER PRIMARY KEY, v BLOB)");
db.exec("INSERT INTO t (v) SELECT randomblob(1000) FROM (WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c WHERE i < 500) SELECT i FROM c)");
db.exec('BEGIN');
db.exec("UPDATE t SET v = zeroblob(1000)");
process.kill(process.pid, 'SIGKILL');
`;

describe('backup and restore of a database a crashed writer left with a hot journal', () => {
  let temp: ReturnType<typeof tempDir>;
  let file: string;
  beforeEach(() => {
    temp = tempDir('ess-h3-hot-');
    file = path.join(temp.dir, 'app.db');
    const script = path.join(temp.dir, 'crash.js');
    writeFileSync(script, CRASH);
    try {
      execFileSync(process.execPath, [script, require.resolve('better-sqlite3'), file], { stdio: 'ignore' });
    } catch {
      // killed, as a crash
    }
    expect(existsSync(`${file}-journal`)).toBe(true);
  });
  afterEach(() => temp.cleanup());

  /** The rows as the crashed server sees them at its next start: the cut-off write rolled back. */
  function committedRows(db: string): number {
    const open = new Database(db, { readonly: true });
    try {
      return open.prepare('SELECT count(*) FROM t WHERE v <> zeroblob(1000)').pluck().get() as number;
    } finally {
      open.close();
    }
  }

  it('backupDatabase copies the committed database (the cut-off write rolled back)', async () => {
    const out = path.join(temp.dir, 'backup.db');
    await expect(backupDatabase(file, out)).resolves.toMatchObject({ pages: expect.any(Number) as unknown });
    expect(committedRows(out)).toBe(500);
    expect(existsSync(`${file}-journal`)).toBe(false);
  });

  it('checkDatabaseFile and restoreDatabase take it as the healthy database it is', async () => {
    expect(() => checkDatabaseFile(file)).not.toThrow();
    const restored = path.join(temp.dir, 'restored', 'app.db');
    await expect(restoreDatabase(file, restored)).resolves.toMatchObject({ siteId: undefined });
    expect(committedRows(restored)).toBe(500);
  });
});
