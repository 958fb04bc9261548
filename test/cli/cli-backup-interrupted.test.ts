import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { tempDir } from '../helpers/temp';

const CLI = path.resolve(__dirname, '..', '..', 'dist', 'bin', 'express-sqlite-sync.js');

/** A rollback-journal database of some thousand pages, which a backup copies in many steps. */
function makeSource(file: string): void {
  const db = new Database(file);
  db.exec('CREATE TABLE t (x BLOB)');
  const insert = db.prepare('INSERT INTO t VALUES (randomblob(4000))');
  db.transaction(() => {
    for (let i = 0; i < 4000; i += 1) insert.run();
  })();
  db.close();
}

interface Stopped {
  readonly exitCode: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stderr: string;
  readonly stdout: string;
}

/**
 * Runs the CLI until its temp file beside `target` is there, then holds an
 * exclusive lock on `source` (no backup step can go on: it stays mid-copy for
 * sure) and sends `signal`. Undefined when the command had finished before the lock, or
 * put its file in place before the signal landed.
 */
async function stopMidCopy(args: readonly string[], source: string, target: string, signal: NodeJS.Signals): Promise<Stopped | undefined> {
  const child = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  let stdout = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  const exited = new Promise<{ exitCode: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('exit', (exitCode, by) => resolve({ exitCode, signal: by })));
  const folder = path.dirname(target);
  const prefix = `.${path.basename(target)}.sync-tmp-${child.pid}-`;
  for (let waited = 0; !(existsSync(folder) && readdirSync(folder).some((name) => name.startsWith(prefix))); waited += 5) {
    if (waited > 15_000 || child.exitCode !== null) break;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  const holder = new Database(source, { timeout: 10_000 });
  try {
    holder.exec('BEGIN EXCLUSIVE');
    if (existsSync(target) || child.exitCode !== null) {
      child.kill('SIGKILL');
      await exited;
      return undefined; // it finished (or failed) first: try again
    }
    child.kill(signal);
    const { exitCode, signal: by } = await exited;
    // On a loaded machine the copy may have ended before the lock, and the signal land once the file was in place
    // (the command then says so, rightly): not the stop mid-copy this test is about, so try again.
    if (existsSync(target)) return undefined;
    return { exitCode, signal: by, stderr, stdout };
  } finally {
    holder.close();
  }
}

describe('backup and restore stopped by Ctrl-C leave no temp file behind, as join', () => {
  let temp: ReturnType<typeof tempDir>;
  beforeEach(() => {
    temp = tempDir();
  });
  afterEach(() => temp.cleanup());

  it('backup, SIGINT mid-copy: exit 130, no temp file beside --out', async () => {
    const source = path.join(temp.dir, 'app.db');
    makeSource(source);
    const out = path.join(temp.dir, 'backups');
    mkdirSync(out);
    let stopped: Stopped | undefined;
    for (let attempt = 0; stopped === undefined && attempt < 5; attempt += 1) {
      if (attempt > 0) rmSync(path.join(out, `b${attempt - 1}.db`), { force: true });
      stopped = await stopMidCopy(['backup', '--db', source, '--out', path.join(out, `b${attempt}.db`)], source, path.join(out, `b${attempt}.db`), 'SIGINT');
    }
    expect(stopped).toEqual({ exitCode: 130, signal: null, stderr: 'express-sqlite-sync: backup stopped by SIGINT; nothing was left behind\n', stdout: '' });
    expect(readdirSync(out)).toEqual([]);
  }, 60_000);

  it('restore --json, SIGINT mid-copy: no temp file, nor the folders it made for --db; the stop in the error shape on stdout', async () => {
    const source = path.join(temp.dir, 'backup.db');
    makeSource(source);
    let stopped: Stopped | undefined;
    for (let attempt = 0; stopped === undefined && attempt < 5; attempt += 1) {
      const db = path.join(temp.dir, `fresh${attempt}`, 'laptop', 'app.db');
      stopped = await stopMidCopy(['restore', '--from', source, '--db', db, '--json'], source, db, 'SIGINT');
      if (stopped === undefined) rmSync(path.join(temp.dir, `fresh${attempt}`), { recursive: true, force: true });
    }
    const message = 'restore stopped by SIGINT; nothing was left behind';
    expect(stopped).toEqual({ exitCode: 130, signal: null, stderr: `express-sqlite-sync: ${message}\n`, stdout: `${JSON.stringify({ error: { code: 'INTERRUPTED', message } })}\n` });
    expect(readdirSync(temp.dir).filter((name) => name.startsWith('fresh'))).toEqual([]);
  }, 60_000);
});
