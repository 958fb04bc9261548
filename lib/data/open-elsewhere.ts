import { readdirSync, readlinkSync, realpathSync } from 'node:fs';

/**
 * Whether another process has `file` open, read from `/proc/<pid>/fd` (Linux):
 * exact whatever the database's journal mode, where SQLite's own locks only
 * show a connection while it reads or writes. Undefined where `/proc` cannot
 * tell (another system, or no such file); processes of other users that
 * cannot be inspected are passed over.
 */
export function openByAnotherProcess(file: string): boolean | undefined {
  let target: string;
  let pids: string[];
  try {
    target = realpathSync(file);
    pids = readdirSync('/proc').filter((name) => /^[0-9]+$/.test(name) && Number(name) !== process.pid);
  } catch {
    return undefined;
  }
  return pids.some((pid) => holds(`/proc/${pid}/fd`, target));
}

function holds(fdFolder: string, target: string): boolean {
  let fds: string[];
  try {
    fds = readdirSync(fdFolder);
  } catch {
    return false;
  }
  return fds.some((fd) => {
    try {
      return readlinkSync(`${fdFolder}/${fd}`) === target;
    } catch {
      return false;
    }
  });
}
