import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { backupDatabase } from '../../../lib/data/backup';
import { tempDb, type TempDb } from '../../helpers/data';
import { tempDir } from '../../helpers/temp';

// A backup into a folder that does not exist says how to make it. Before, the
// hint was `mkdir -p b k` for the folder "b k": pasted into a terminal it made
// two folders, "b" and "k", and the backup failed again.
describe('the fix a backup into a missing folder suggests', () => {
  let source: TempDb;
  let temp: ReturnType<typeof tempDir>;
  beforeEach(() => {
    source = tempDb('CREATE TABLE t (id TEXT PRIMARY KEY); INSERT INTO t VALUES (\'x\')');
    temp = tempDir('ess-h3-hint-');
  });
  afterEach(() => {
    source.cleanup();
    temp.cleanup();
  });

  it.each(['b k', "it's here", 'robots $HOME `x` 🤖', 'plain-folder'])('makes that very folder when run in a shell: %s', async (name) => {
    const cwd = path.join(temp.dir, 'cwd');
    mkdirSync(cwd);
    const out = path.join(name, 'backup.db');
    const failed = await backupDatabase(source.file, path.join(cwd, out)).then(
      () => undefined,
      (error: unknown) => error as { code: string; message: string },
    );
    expect(failed?.code).toBe('TARGET_INVALID');
    const fix = /\(mkdir -p (.*)\) or write the backup elsewhere$/.exec(failed?.message ?? '')?.[1];
    expect(fix).toBeDefined();
    execFileSync('/bin/sh', ['-c', `mkdir -p ${fix ?? ''}`], { cwd: temp.dir, stdio: 'ignore' });
    expect(readdirSync(cwd)).toEqual([name]);
    expect(readdirSync(temp.dir).sort()).toEqual(['cwd']);
    await expect(backupDatabase(source.file, path.join(cwd, out))).resolves.toMatchObject({ pages: expect.any(Number) as unknown });
  });
});
