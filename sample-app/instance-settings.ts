import { randomBytes } from 'node:crypto';
import { closeSync, fsyncSync, openSync, readFileSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';
import path from 'node:path';
import type { SyncLogger } from '../index';

/** The example settings file's place under the data directory, as messages name it. */
const SETTINGS_FILE = path.join('instance', 'settings.json');

/** The example settings: the same bytes on every fresh server, so first syncs agree instead of raising a conflict. */
const EXAMPLE_SETTINGS = `${JSON.stringify({ eventName: 'Practice day' }, null, 2)}\n`;

/**
 * Writes `data` as `target` whole or not at all, as the library writes its files: a temp file beside it named in
 * the library's documented temp shape (`.<name>.sync-tmp-<pid>-<12 hex>`: never listed nor synced, and removed as a
 * crash leftover when the root is opened next), fsynced, renamed into place, the folder synced. A full disk or a crash
 * mid-write leaves the old file (or none), never an empty or cut one that the file sync would carry to every peer.
 * @throws the file system's error (its temp file removed)
 */
export function writeFileAtomicallySync(target: string, data: string): void {
  const temp = path.join(path.dirname(target), `.${path.basename(target)}.sync-tmp-${process.pid}-${randomBytes(6).toString('hex')}`);
  try {
    const fd = openSync(temp, 'wx', 0o644);
    try {
      const bytes = Buffer.from(data);
      for (let done = 0; done < bytes.length; ) done += writeSync(fd, bytes, done);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(temp, target);
  } catch (error) {
    rmSync(temp, { force: true });
    throw error;
  }
  syncFolder(path.dirname(target));
}

/** Flushes a folder's entries (the rename) to disk; best effort: Windows opens no folder. */
function syncFolder(folder: string): void {
  try {
    const fd = openSync(folder, 'r');
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  } catch {
    // the rename is atomic either way
  }
}

/** Why the settings file is no JSON object (unreadable, empty, cut short, not JSON, or another JSON value), with the fix; undefined when it is one. */
function settingsProblem(file: string): { readonly code: string | null; readonly message: string } | undefined {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'ERROR';
    return { code, message: `it cannot be read (${code}); the app reads nothing from it, but the file sync cannot send it to peers either: give it to the user that runs the app (chown), or move it aside` };
  }
  const why = jsonProblem(text);
  if (why === undefined) return undefined;
  const fix = `fix it (or copy a good one from another server's DATA_DIR/${SETTINGS_FILE.split(path.sep).join('/')}); the next file sync carries the fixed file to the peers`;
  return { code: null, message: `${why}; it syncs to every peer as it is: ${fix}` };
}

/** Why a text is no JSON object; undefined when it is one. */
function jsonProblem(text: string): string | undefined {
  if (text.trim() === '') return 'it is empty (a write cut short by a full disk or a crash?)';
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? undefined : 'it holds JSON, but not an object ({ … })';
  } catch (error) {
    return `it is not valid JSON (${(error as Error).message}: cut short, or a typo?)`;
  }
}

/**
 * Writes an example settings file once on a server without peers, so the instance root
 * has a config file to sync. A server with peers gets theirs: a default written
 * on a new laptop would differ from the event's edited file, and the first file
 * round keeps the version of the server that runs it at the path, so the
 * newcomer's default would replace the event's settings on every server.
 * A settings file there that is no JSON object is said (`app.settings_invalid`, warn), not written over:
 * the app reads nothing from it, but it syncs to every peer as it is.
 * @throws the file system's error when the example cannot be written (a full disk: the start says so with DATA_DIR)
 */
export function ensureInstanceSettings(dataDir: string, hasPeers: boolean, logger: SyncLogger): void {
  const file = path.join(dataDir, SETTINGS_FILE);
  const stats = statSync(file, { throwIfNoEntry: false }); // followed: a link to nothing is nothing there
  if (stats === undefined) {
    if (!hasPeers) writeFileAtomicallySync(file, EXAMPLE_SETTINGS); // a failure stops the start, which names DATA_DIR
    return;
  }
  if (!stats.isFile()) return; // a folder of that name syncs as any other; a pipe or device is never opened (it would block the start)
  const problem = settingsProblem(file);
  if (problem !== undefined) logger.warn({ event: 'app.settings_invalid', file, code: problem.code }, `${file}: ${problem.message}`);
}
