import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { makePrivateTempDir, sweepStaleTempDirs } from '../../../lib/files/temp-dirs';
import { reserveTempPath, releaseTempPath, sweepStaleTempFilesOf } from '../../../lib/files/temp-files';
import { tempDir } from '../../helpers/temp';

/** The pid of a process that has exited. */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  return Number(child.stdout);
}

describe('leftovers of a crashed download are swept', () => {
  const prefix = `ess-test-sweep-${process.pid}x-`;
  afterEach(() => {
    for (const name of readdirSync(os.tmpdir())) if (name.startsWith(prefix)) rmSync(path.join(os.tmpdir(), name), { recursive: true, force: true });
  });

  it('removes the private temp folders of processes that are gone, and only those', async () => {
    const dead = path.join(os.tmpdir(), `${prefix}${deadPid()}-abc123`);
    const mine = path.join(os.tmpdir(), `${prefix}${process.pid}-def456`);
    const unnamed = path.join(os.tmpdir(), `${prefix}nopid`);
    for (const dir of [dead, mine, unnamed]) {
      mkdirSync(dir);
      writeFileSync(path.join(dir, 'snapshot.sqlite3'), 'x'.repeat(1000));
    }
    await sweepStaleTempDirs(prefix);
    expect([existsSync(dead), existsSync(mine), existsSync(unnamed)]).toEqual([false, true, true]);
    const fresh = await makePrivateTempDir(prefix);
    expect(path.basename(fresh)).toMatch(new RegExp(`^${prefix}${process.pid}-`));
  });

  it('removes the stale temp files beside one target, never one being written', () => {
    const temp = tempDir();
    try {
      const target = path.join(temp.dir, 'app.db');
      const stale = path.join(temp.dir, `.app.db.sync-tmp-${deadPid()}-0a1b2c3d4e5f`);
      const other = path.join(temp.dir, `.notes.txt.sync-tmp-${deadPid()}-0a1b2c3d4e5f`);
      const writing = reserveTempPath(target);
      for (const file of [stale, other, writing]) writeFileSync(file, 'partial');
      sweepStaleTempFilesOf(target);
      expect([existsSync(stale), existsSync(other), existsSync(writing)]).toEqual([false, true, true]);
      releaseTempPath(writing);
    } finally {
      temp.cleanup();
    }
  });
});
