import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { restoreDatabase } from '../../lib/data/backup';
import { runCli } from '../helpers/h7-cli';
import { tempDir } from '../helpers/temp';

// SQLite opens an empty file as an empty database, and `PRAGMA integrity_check` says ok: restore took a
// 0-byte file for a backup and made an empty database of it, exit 0 ("it has no sync metadata yet").
// No backup is empty (a backup of an empty database holds a page), and a power cut on a file system without
// hard links can leave one where the backup held its name (lib/files/place-new-file.ts): it is refused.
describe('restore from an empty file (0 bytes)', () => {
  let temp: ReturnType<typeof tempDir>;
  let empty: string;
  beforeEach(() => {
    temp = tempDir('ess-af5-empty-backup-');
    empty = path.join(temp.dir, 'before-finals.db');
    writeFileSync(empty, '');
  });
  afterEach(() => temp.cleanup());

  it('the CLI: NOT_A_DATABASE naming the file, exit 1, no folder or database made', async () => {
    const target = path.join(temp.dir, 'new', 'app.db');
    const result = await runCli(['restore', '--from', empty, '--db', target, '--json']);
    expect(result.code).toBe(1);
    expect(JSON.parse(result.stdout)).toMatchObject({ error: { code: 'NOT_A_DATABASE', message: expect.stringContaining(`${empty} is empty (0 bytes)`) } });
    expect(existsSync(path.dirname(target))).toBe(false);
  });

  it('restoreDatabase: NOT_A_DATABASE, nothing made', async () => {
    const target = path.join(temp.dir, 'app.db');
    await expect(restoreDatabase(empty, target)).rejects.toMatchObject({ code: 'NOT_A_DATABASE', status: 400 });
    expect(existsSync(target)).toBe(false);
  });
});
