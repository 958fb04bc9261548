import { openSync, writeSync, closeSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { checkSnapshotFile } from '../../../lib/data/snapshot-adopt';
import { tempDir } from '../../helpers/temp';

// Found by a hostile probe (helper v2): a damaged snapshot's refusal printed SQLite's report on as many lines as it has.
describe('a damaged snapshot is refused in one line', () => {
  it('names the first problems of integrity_check and how many more, without a line break', () => {
    const temp = tempDir('ess-integrity-');
    try {
      const file = path.join(temp.dir, 'snapshot.sqlite3');
      const db = new Database(file);
      db.exec('CREATE TABLE t (id TEXT PRIMARY KEY, v TEXT)');
      const insert = db.prepare('INSERT INTO t VALUES (?, ?)');
      db.transaction(() => {
        for (let i = 0; i < 2000; i += 1) insert.run(`k${i}`, `value ${i}`);
      })();
      db.close();
      const fd = openSync(file, 'r+');
      writeSync(fd, Buffer.alloc(200, 0xff), 0, 200, 3 * 4096 + 100); // garbage over the cells of page 4
      closeSync(fd);
      let refusal: { code?: string; message?: string } = {};
      try {
        checkSnapshotFile(file);
      } catch (error) {
        refusal = error as typeof refusal;
      }
      expect(refusal.code).toBe('SNAPSHOT_CORRUPT');
      expect(refusal.message).not.toMatch(/[\r\n]/);
      expect(refusal.message).toMatch(/\*\*\* in database main \*\*\*; Tree \d+ page 4 .*; … and \d+ more/);
    } finally {
      temp.cleanup();
    }
  });
});
