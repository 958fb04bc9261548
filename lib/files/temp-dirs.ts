import { mkdtemp, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { isProcessRunning } from './temp-files';

/** The pid a private temp folder's name was stamped with (`<prefix><pid>-<random>`), when it has one. */
function ownerPid(name: string, prefix: string): number | undefined {
  const match = /^(\d{1,10})-/.exec(name.slice(prefix.length));
  return match === null ? undefined : Number(match[1]);
}

/**
 * Removes the private temp folders (`<prefix><pid>-…` in the OS temp folder)
 * that a process which is gone left behind: a server or a `join` killed
 * mid-download (`kill -9`, a power cut) leaves a whole snapshot there.
 * Folders of running processes, and folders without a pid, are left alone.
 */
export async function sweepStaleTempDirs(prefix: string): Promise<void> {
  const names = await readdir(os.tmpdir()).catch(() => [] as string[]);
  for (const name of names) {
    if (!name.startsWith(prefix)) continue;
    const pid = ownerPid(name, prefix);
    if (pid === undefined || pid === process.pid || isProcessRunning(pid)) continue;
    await rm(path.join(os.tmpdir(), name), { recursive: true, force: true }).catch(() => undefined);
  }
}

/**
 * A new private folder in the OS temp folder, `<prefix><pid>-<random>`,
 * after sweeping the ones crashed processes left with the same prefix.
 */
export async function makePrivateTempDir(prefix: string): Promise<string> {
  await sweepStaleTempDirs(prefix);
  return mkdtemp(path.join(os.tmpdir(), `${prefix}${process.pid}-`));
}
