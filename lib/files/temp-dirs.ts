import { rmSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { isProcessRunning } from './temp-files';

/** The pid a private temp folder's name was stamped with (`<prefix><pid>-<random>`), when it has one. */
function ownerPid(name: string, prefix: string): number | undefined {
  const match = /^(\d{1,10})-/.exec(name.slice(prefix.length));
  return match === null ? undefined : Number(match[1]);
}

/**
 * Removes the private temp folders (`<prefix><pid>-…` in `parent`, the OS
 * temp folder unless told otherwise) that a process which is gone left
 * behind: a server or a `join` killed mid-download (`kill -9`, a power cut)
 * leaves a whole snapshot there. Folders of running processes, and folders
 * without a pid, are left alone.
 */
export async function sweepStaleTempDirs(prefix: string, parent = os.tmpdir()): Promise<void> {
  const names = await readdir(parent).catch(() => [] as string[]);
  for (const name of names) {
    if (!name.startsWith(prefix)) continue;
    const pid = ownerPid(name, prefix);
    if (pid === undefined || pid === process.pid || isProcessRunning(pid)) continue;
    await rm(path.join(parent, name), { recursive: true, force: true }).catch(() => undefined);
  }
}

/** This process's private temp folders not removed yet: removed when it exits. */
const live = new Set<string>();
let removedAtExit = false;

/** Removes what is left of this process's private temp folders (synchronously: `exit` listeners cannot wait). */
function removeLiveAtExit(): void {
  for (const dir of live) rmSync(dir, { recursive: true, force: true });
  live.clear();
}

/**
 * A new private folder in `parent` (the OS temp folder unless told
 * otherwise, made when missing), `<prefix><pid>-<random>`, after sweeping
 * the ones crashed processes left there with the same prefix.
 * It is removed when the process exits (`process.exit()` included, as an app
 * stopped by Ctrl-C or SIGTERM calls it), should its user not have removed it
 * by then with {@link removePrivateTempDir}: a snapshot still being sent when
 * the server stopped was left there, a copy of every synced row, until a
 * later snapshot's sweep. A `kill -9` leaves it for that sweep.
 */
export async function makePrivateTempDir(prefix: string, parent = os.tmpdir()): Promise<string> {
  await mkdir(parent, { recursive: true });
  await sweepStaleTempDirs(prefix, parent);
  const dir = await mkdtemp(path.join(parent, `${prefix}${process.pid}-`));
  live.add(dir);
  if (!removedAtExit) {
    removedAtExit = true;
    process.once('exit', removeLiveAtExit);
  }
  return dir;
}

/** Removes a folder {@link makePrivateTempDir} made, at once (`sync`) or not; nothing is left for the exit. */
export function removePrivateTempDir(dir: string, sync: true): void;
export function removePrivateTempDir(dir: string, sync?: false): Promise<void>;
export function removePrivateTempDir(dir: string, sync = false): Promise<void> | void {
  live.delete(dir);
  if (sync) {
    rmSync(dir, { recursive: true, force: true });
    return;
  }
  return rm(dir, { recursive: true, force: true });
}
