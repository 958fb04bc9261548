import { linkSync, readFileSync, symlinkSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { enableCapture } from '../../lib/data/capture';
import { runCli } from '../helpers/h7-cli';
import { tempDir } from '../helpers/temp';

// `restore --from x.db --db x.db --force` (a slip of the fingers, or a link to the backup) said "restored x.db into
// x.db" and replaced the backup with a copy of itself under a new site id: no copy of the backup as it was was left.
describe('restore whose target is the backup itself', () => {
  let temp: ReturnType<typeof tempDir>;
  let backup: string;
  let siteId: string;
  beforeEach(() => {
    temp = tempDir('ess-restore-self-');
    backup = path.join(temp.dir, 'backup.db');
    const db = new Database(backup);
    db.exec('CREATE TABLE notes (id TEXT PRIMARY KEY NOT NULL, body TEXT)');
    const tracker = enableCapture(db, { tables: ['notes'] });
    db.exec("INSERT INTO notes VALUES ('n1', 'kept')");
    siteId = tracker.siteId;
    db.close();
  });
  afterEach(() => temp.cleanup());

  it.each([
    ['the same path', () => backup],
    ['the same path spelled otherwise', () => path.join(temp.dir, '.', 'backup.db')],
    ['a hard link to it', () => (linkSync(backup, path.join(temp.dir, 'hard.db')), path.join(temp.dir, 'hard.db'))],
    ['a symbolic link to it', () => (symlinkSync(backup, path.join(temp.dir, 'soft.db')), path.join(temp.dir, 'soft.db'))],
  ])('is refused for %s with --force (TARGET_INVALID), the backup unchanged', async (_name, target) => {
    const before = readFileSync(backup);
    const result = await runCli(['restore', '--from', backup, '--db', target(), '--force', '--json']);
    expect(result.code).toBe(1);
    expect(JSON.parse(result.stdout)).toMatchObject({ error: { code: 'TARGET_INVALID' } });
    expect(result.stderr).toContain('is the backup being restored');
    expect(readFileSync(backup).equals(before)).toBe(true);
    const db = new Database(backup, { readonly: true });
    try {
      expect(db.prepare('SELECT site FROM _sync_sites WHERE id = 0').pluck().get()).toBe(siteId);
    } finally {
      db.close();
    }
  });
});
