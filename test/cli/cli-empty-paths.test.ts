import { execFile } from 'node:child_process';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import Database from 'better-sqlite3';
import { tempDir } from '../helpers/temp';

const run = promisify(execFile);
const CLI = path.resolve(__dirname, '..', '..', 'dist', 'bin', 'express-sqlite-sync.js');

/** Runs the built command-line tool in `cwd`; never rejects. */
async function cli(cwd: string, ...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [CLI, ...args], { cwd, env: { ...process.env, SYNC_TOKEN: '', SYNC_PEER_CA: '' } });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

describe('an empty path is TARGET_INVALID, naming the option, before any work', () => {
  let temp: ReturnType<typeof tempDir>;
  beforeEach(() => {
    temp = tempDir();
  });
  afterEach(() => temp.cleanup());

  it('backup --out "": nothing is copied into the working folder', async () => {
    const db = new Database(path.join(temp.dir, 'app.db'));
    db.exec('CREATE TABLE notes (id TEXT PRIMARY KEY)');
    db.close();
    const result = await cli(temp.dir, 'backup', '--db', 'app.db', '--out', '', '--json');
    expect(result.code).toBe(1);
    expect(JSON.parse(result.stdout)).toEqual({ error: { code: 'TARGET_INVALID', message: expect.stringContaining('--out') } });
    expect(readdirSync(temp.dir)).toEqual(['app.db']);
  });

  it('new-site-id --db "": not SQLite\'s temp database, said to have no sync metadata', async () => {
    const result = await cli(temp.dir, 'new-site-id', '--db', '', '--json');
    expect(result.code).toBe(1);
    expect(JSON.parse(result.stdout)).toEqual({ error: { code: 'TARGET_INVALID', message: expect.stringContaining('--db') } });
    expect(readdirSync(temp.dir)).toEqual([]);
  });

  // Were NOT_FOUND "no database at : check the path given to --db", naming no file (" " as "no database at  :").
  it.each([
    ['backup --db ""', ['backup', '--db', '', '--out', 'copy.db'], '--db'],
    ['backup --db " "', ['backup', '--db', ' ', '--out', 'copy.db'], '--db'],
    ['restore --from ""', ['restore', '--from', '', '--db', 'restored.db'], '--from'],
    ['restore --from " "', ['restore', '--from', ' ', '--db', 'restored.db'], '--from'],
  ])('%s: "no database path given", naming the option', async (_name, args, flag) => {
    const result = await cli(temp.dir, ...args, '--json');
    expect(result.code).toBe(1);
    expect(JSON.parse(result.stdout)).toEqual({ error: { code: 'TARGET_INVALID', message: expect.stringMatching(new RegExp(`^no database path given: .*\\(${flag}\\)$`)) as unknown } });
    expect(readdirSync(temp.dir)).toEqual([]);
  });
});
