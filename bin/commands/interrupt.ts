import { existsSync, readdirSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { removeEmptyFoldersSync } from '../../lib/files/atomic-file';
import { abandonPlacementSync } from '../../lib/files/place-new-file';
import { isTempFileName, tempPrefixOf } from '../../lib/files/temp-files';

/** The highest folder on the way to `dir` that does not exist yet (the one a command would make), if any. */
export function folderToMake(dir: string): string | undefined {
  let made: string | undefined;
  for (let at = path.resolve(dir); !existsSync(at) && path.dirname(at) !== at; at = path.dirname(at)) made = at;
  return made;
}

/** Removes this process's temp files beside `target` and their SQLite side files (named by our pid), nothing else; a missing folder has none. */
export function removeOurTempFiles(target: string): void {
  const folder = path.dirname(path.resolve(target));
  const ours = `${tempPrefixOf(target)}${process.pid}-`;
  let names: string[];
  try {
    names = readdirSync(folder);
  } catch {
    return; // the folder is not there (yet, or any more): no temp file of ours
  }
  for (const name of names) {
    if (name.startsWith(ours) && isTempFileName(name)) rmSync(path.join(folder, name), { force: true });
  }
}

/** True when `target` is the very file one of this process's temp files beside it is (a hard link just made: the command put it there). */
export function placedByUs(target: string): boolean {
  const folder = path.dirname(path.resolve(target));
  const ours = `${tempPrefixOf(target)}${process.pid}-`;
  try {
    const placed = statSync(path.resolve(target));
    return readdirSync(folder).some((name) => {
      if (!name.startsWith(ours) || !isTempFileName(name)) return false;
      const temp = statSync(path.join(folder, name), { throwIfNoEntry: false });
      return temp !== undefined && temp.ino === placed.ino && temp.dev === placed.dev;
    });
  } catch {
    return false; // no target, or no folder
  }
}

/** What a command writing `target` leaves after Ctrl-C or SIGTERM. */
export interface Interruptible {
  /** The command's name, for the message (`join`, `backup`…). */
  readonly command: string;
  /** The file the command writes through a temp file beside it. */
  readonly target: string;
  /** The highest folder the command made for `target` (see {@link folderToMake}), removed while empty and `target` is not in place. */
  readonly made?: string;
  /** What to say when `target` is in place when the signal comes; without it, the target is not looked at. */
  readonly placed?: string;
  /**
   * Whether this command put `target` in place, as far as it was told (without it: whether a file is
   * there, whoever put it); a target that is still the same file as one of its temp files counts too.
   */
  readonly isPlaced?: () => boolean;
  /** Runs first (a progress bar stops, giving the terminal its cursor back). */
  readonly before?: () => void;
}

/**
 * Ctrl-C (SIGINT) or SIGTERM: runs `onSignal` (clean-up, and the one line
 * for stderr it returns), then exits with 130 (143 for SIGTERM); with `--json`
 * stdout gets `{ "error": { "code": "INTERRUPTED", "message" } }` too.
 * @returns a function that stops listening for the signals
 */
export function exitOnSignal(onSignal: (signal: NodeJS.Signals) => string): () => void {
  const listener = (signal: NodeJS.Signals): void => {
    const message = onSignal(signal);
    process.stderr.write(`express-sqlite-sync: ${message}\n`);
    // With --json, a script reading stdout gets the stop in the error shape too, as any failure.
    if (process.argv.includes('--json')) process.stdout.write(`${JSON.stringify({ error: { code: 'INTERRUPTED', message } })}\n`);
    process.exit(signal === 'SIGINT' ? 130 : 143);
  };
  process.once('SIGINT', listener);
  process.once('SIGTERM', listener);
  return () => {
    process.off('SIGINT', listener);
    process.off('SIGTERM', listener);
  };
}

/**
 * Ctrl-C (SIGINT) or SIGTERM while a command writes `target`: as a command
 * that fails, it removes only what it made. This process's temp file beside
 * the target (and its SQLite side files) is removed, so is its placeholder at
 * the target (a file system without hard links: see `placeNewFile`), and the folders made for
 * it while nothing was put in place, each only while empty: a file someone
 * else put there meanwhile keeps its folder (the message names it). Then it
 * says so in one line on stderr and exits with 130 (143 for SIGTERM).
 * @returns a function that stops listening for the signals
 */
export function cleanUpOnSignal(what: Interruptible): () => void {
  return exitOnSignal((signal) => {
    what.before?.();
    // Without hard links the name is held by a placeholder until the copy is renamed over it: removed, never left as the copy.
    const placement = abandonPlacementSync(what.target);
    // `missing/../app.db` is app.db, as the commands take it (the kernel would not find it through `missing`).
    const placed =
      what.placed !== undefined && placement !== 'removed' && (placement === 'placed' || (what.isPlaced === undefined ? existsSync(path.resolve(what.target)) : what.isPlaced() || placedByUs(what.target)));
    removeOurTempFiles(what.target);
    const made = what.made;
    if (made !== undefined && !placed) removeEmptyFoldersSync(path.dirname(path.resolve(what.target)), path.dirname(made));
    const kept = made !== undefined && !placed && existsSync(made) ? ` (kept ${made}: it holds files this ${what.command} did not make)` : '';
    return `${what.command} stopped by ${signal}; ${placed ? what.placed : `nothing was left behind${kept}`}`;
  });
}
