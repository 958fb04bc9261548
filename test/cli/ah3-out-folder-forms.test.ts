import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { runCli } from '../helpers/h7-cli';
import { tempDir } from '../helpers/temp';

/** Every name under `dir`, folders with a trailing `/`, sorted. */
function tree(dir: string, prefix = ''): string[] {
  return readdirSync(path.join(dir, prefix), { withFileTypes: true })
    .flatMap((entry) => (entry.isDirectory() ? [`${prefix}${entry.name}/`, ...tree(dir, `${prefix}${entry.name}/`)] : [`${prefix}${entry.name}`]))
    .sort();
}

// Found by an earlier careless-operator tester, fixed by helper ah3: `backup --out sub/` for a folder that does not exist said
// "sub/ is a folder", sending the operator to look for a folder that is not there (so did `restore --db sub/` and `join --db sub/`,
// and `--out file.db/` for a file). A path ending in a separator is now said by what is there. Every `--out` form, through the CLI.
describe('ah3: backup --out (restore --db, join --db) in each form, said by what is there', () => {
  let temp: ReturnType<typeof tempDir>;
  let before: string[];
  beforeEach(() => {
    temp = tempDir('ess-ah3-out-');
    const db = new Database(path.join(temp.dir, 'app.db'));
    db.exec("CREATE TABLE t (x); INSERT INTO t VALUES ('kept')");
    db.close();
    mkdirSync(path.join(temp.dir, 'backups'));
    writeFileSync(path.join(temp.dir, 'old.db'), 'an earlier backup');
    before = tree(temp.dir);
  });
  afterEach(() => temp.cleanup());

  it.each([
    ['sub/', 'sub/ ends in /, which names a folder, and there is no folder sub: name the backup file (e.g. sub/backup.db, once the folder is made: mkdir -p sub)'],
    ['sub//', 'sub// ends in /, which names a folder, and there is no folder sub: name the backup file (e.g. sub/backup.db, once the folder is made: mkdir -p sub)'],
    ["pit crew's/", "pit crew's/ ends in /, which names a folder, and there is no folder pit crew's: name the backup file (e.g. pit crew's/backup.db, once the folder is made: mkdir -p 'pit crew'\\''s')"],
    ['backups', 'backups is a folder; name the backup file (e.g. backups/backup.db)'],
    ['backups/', 'backups/ is a folder; name the backup file (e.g. backups/backup.db)'],
    ['old.db/', 'old.db/ ends in /, which names a folder, but old.db is a file: name the backup file without the /'],
    ['old.db', 'old.db exists; choose another name or pass --force'],
    ['missing/b.db', 'the folder missing of missing/b.db does not exist: create it first (mkdir -p missing) or write the backup elsewhere'],
    ['old.db/b.db', 'old.db is not a folder: the backup cannot be written under it'],
  ])('backup --out %j: exit 1, "%s", nothing written', async (out, said) => {
    const run = await runCli(['backup', '--db', 'app.db', '--out', out], {}, temp.dir);
    expect(run).toEqual({ code: 1, stdout: '', stderr: `express-sqlite-sync: ${said}\n` });
    expect(tree(temp.dir)).toEqual(before);
    expect(readFileSync(path.join(temp.dir, 'old.db'), 'utf8')).toBe('an earlier backup');
    const json = await runCli(['backup', '--db', 'app.db', '--out', out, '--json'], {}, temp.dir);
    expect(JSON.parse(json.stdout)).toEqual({ error: { code: said.endsWith('--force') ? 'TARGET_EXISTS' : 'TARGET_INVALID', message: said } });
  });

  it.each(['sub/backup.db', './backup.db', '../backup.db', 'backups/backup.db'])('backup --out %j (relative) writes there, as named', async (out) => {
    mkdirSync(path.join(temp.dir, 'sub'), { recursive: true });
    const work = path.join(temp.dir, 'backups');
    const cwd = out.startsWith('../') ? work : temp.dir;
    const run = await runCli(['backup', '--db', path.relative(cwd, path.join(temp.dir, 'app.db')), '--out', out], {}, cwd);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(new RegExp(`^backed up .*app\\.db to ${out.replaceAll('.', '\\.')} \\(\\d+ pages\\)\\n$`));
    const copy = new Database(path.resolve(cwd, out), { readonly: true });
    expect(copy.prepare('SELECT x FROM t').pluck().get()).toBe('kept');
    copy.close();
  });

  it('restore --db sub/ and join --db sub/ are said the same way; both would make the folder', async () => {
    const restore = await runCli(['restore', '--from', 'app.db', '--db', 'sub/'], {}, temp.dir);
    expect(restore).toEqual({ code: 1, stdout: '', stderr: 'express-sqlite-sync: sub/ ends in /, which names a folder, and there is no folder sub: name the database file (e.g. sub/app.db; its folder is made)\n' });
    const join = await runCli(['join', '--from', 'http://127.0.0.1:9', '--db', 'sub/', '--token', 'ah3-token-0123456789abcdef'], {}, temp.dir);
    expect(join).toEqual({ code: 1, stdout: '', stderr: 'express-sqlite-sync: sub/ ends in /, which names a folder, and there is no folder sub: name the new database file (e.g. sub/app.db; its folder is made)\n' });
    expect(tree(temp.dir)).toEqual(before);
  });
});
