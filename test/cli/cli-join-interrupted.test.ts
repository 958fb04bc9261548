import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { stallingPeer } from '../helpers/stalling-peer';
import { tempDir } from '../helpers/temp';

const CLI = path.resolve(__dirname, '..', '..', 'dist', 'bin', 'express-sqlite-sync.js');

/** A `join` into `folder/app.db` from `peer`, once its temp snapshot is there; `exited` resolves with its exit code. */
async function joinCaughtMidDownload(peerUrl: string, folder: string): Promise<{ child: ReturnType<typeof spawn>; exited: Promise<number | null>; stderr(): string }> {
  const child = spawn(process.execPath, [CLI, 'join', '--from', peerUrl, '--db', path.join(folder, 'app.db'), '--token', 'test-token-0123456789abcdef'], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (exitCode) => resolve(exitCode)));
  for (let waited = 0; !(existsSync(folder) && readdirSync(folder).some((name) => name.startsWith(`.app.db.sync-tmp-${child.pid}-`))); waited += 20) {
    if (waited > 15_000) throw new Error(`no temp snapshot appeared; stderr: ${stderr}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return { child, exited, stderr: () => stderr };
}

describe('join stopped by Ctrl-C leaves nothing behind, as a join that fails', () => {
  let temp: ReturnType<typeof tempDir>;
  beforeEach(() => {
    temp = tempDir();
  });
  afterEach(() => temp.cleanup());

  it.each([['SIGINT', 130], ['SIGTERM', 143]] as const)('%s mid-download: no temp snapshot, not the folder it made (it left both)', async (signal, code) => {
    const peer = await stallingPeer();
    try {
      const folder = path.join(temp.dir, 'fresh', 'laptop');
      const child = spawn(process.execPath, [CLI, 'join', '--from', peer.url, '--db', path.join(folder, 'app.db'), '--token', 'test-token-0123456789abcdef'], { stdio: ['ignore', 'ignore', 'pipe'] });
      let stderr = '';
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      const exited = new Promise<number | null>((resolve) => child.once('exit', (exitCode) => resolve(exitCode)));
      for (let waited = 0; !(existsSync(folder) && readdirSync(folder).some((name) => name.startsWith('.app.db.sync-tmp-'))); waited += 20) {
        if (waited > 15_000) throw new Error(`no temp snapshot appeared; stderr: ${stderr}`);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      child.kill(signal);
      expect(await exited).toBe(code);
      expect(stderr).toMatch(new RegExp(`join stopped by ${signal}; nothing was left behind`));
      expect(readdirSync(temp.dir)).toEqual([]);
    } finally {
      await peer.close();
    }
  });

  it('SIGINT removes only what the join made: files someone put in its folders meanwhile stay, with those folders', async () => {
    const peer = await stallingPeer();
    try {
      const fresh = path.join(temp.dir, 'fresh');
      const folder = path.join(fresh, 'laptop');
      const join = await joinCaughtMidDownload(peer.url, folder);
      // Meanwhile an operator copies config in, and another process (pid 1) has a temp file of the same target.
      writeFileSync(path.join(folder, 'settings.json'), '{"eventName":"Qualifier"}');
      const othersTemp = path.join(folder, '.app.db.sync-tmp-1-0123456789ab');
      writeFileSync(othersTemp, 'not ours');
      mkdirSync(path.join(fresh, 'photos'));
      writeFileSync(path.join(fresh, 'photos', 'robot.jpg'), 'jpeg');
      join.child.kill('SIGINT');
      expect(await join.exited).toBe(130);
      expect(join.stderr()).toContain(`join stopped by SIGINT; nothing was left behind (kept ${fresh}: it holds files this join did not make)`);
      expect(readdirSync(folder).sort()).toEqual(['.app.db.sync-tmp-1-0123456789ab', 'settings.json']); // its own temp snapshot gone
      expect(readFileSync(path.join(folder, 'settings.json'), 'utf8')).toBe('{"eventName":"Qualifier"}');
      expect(readFileSync(othersTemp, 'utf8')).toBe('not ours');
      expect(readFileSync(path.join(fresh, 'photos', 'robot.jpg'), 'utf8')).toBe('jpeg');
    } finally {
      await peer.close();
    }
  });

  it('SIGINT with a file only in the upper folder it made: the emptied lower folder goes, the upper one stays', async () => {
    const peer = await stallingPeer();
    try {
      const fresh = path.join(temp.dir, 'fresh');
      const folder = path.join(fresh, 'laptop');
      const join = await joinCaughtMidDownload(peer.url, folder);
      writeFileSync(path.join(fresh, 'README.txt'), 'the event laptop');
      join.child.kill('SIGINT');
      expect(await join.exited).toBe(130);
      expect(readdirSync(fresh)).toEqual(['README.txt']);
      expect(readdirSync(temp.dir)).toEqual(['fresh']);
    } finally {
      await peer.close();
    }
  });
});
