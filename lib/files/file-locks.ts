import { realpathSync } from 'node:fs';
import path from 'node:path';

/** The last holder's turn per path: a path is in the map while someone holds or waits for it. */
const turns = new Map<string, Promise<void>>();

/** One key per file however it is reached: its folder's real path (a symlinked folder is the folder it points to), and its name. */
function lockKey(absolute: string): string {
  const resolved = path.resolve(absolute);
  try {
    return path.join(realpathSync.native(path.dirname(resolved)), path.basename(resolved));
  } catch {
    return resolved; // the folder does not exist (yet): nothing else can reach it either
  }
}

/**
 * Runs `work` while holding this process's lock on one file path, so a
 * check of the file's current state and the rename or delete that follows
 * it happen as one step: two uploads (or an upload and a sync, or a delete)
 * under the same precondition cannot both pass it. Waiters go in arrival
 * order; the lock is released when `work` settles.
 */
export async function withFileLock<T>(absolute: string, work: () => Promise<T>): Promise<T> {
  const key = lockKey(absolute);
  const previous = turns.get(key) ?? Promise.resolve();
  let release = (): void => undefined;
  const mine = new Promise<void>((resolve) => {
    release = resolve;
  });
  const turn = previous.then(() => mine);
  turns.set(key, turn);
  await previous;
  try {
    return await work();
  } finally {
    release();
    if (turns.get(key) === turn) turns.delete(key);
  }
}
