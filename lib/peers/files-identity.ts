import { randomBytes } from 'node:crypto';
import { closeSync, fsyncSync, lstatSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';
import path from 'node:path';
import { releaseTempPath, reserveTempPath } from '../files/temp-files';

/** The file in `stateDir` that keeps the identity of a server without data. */
export const FILES_IDENTITY_FILE = 'files-site.json';

interface StoredIdentity {
  readonly version: 1;
  /** The identity: 32 lowercase hex, the shape of a site id. */
  readonly site: string;
  /** The state folder's birth time when the identity was made (`birth:<ns>`); none where the platform gives none. */
  readonly folder?: string;
}

/** The identity of a server without data, and whether this start made a new one. */
export interface FilesIdentity {
  /** The identity (32 lowercase hex, the shape of a site id). */
  readonly site: string;
  /** Set when this start replaced a kept identity: the state folder is a copy (or put back from one), so the one it kept is another server's. */
  readonly replaced: { readonly previous: string; readonly reason: string } | undefined;
  /** Why the file found there was no identity (not JSON, another shape, too large, not a regular file): this start took a new one. Undefined when there was none, or it was read. */
  readonly unreadable?: string | undefined;
}

/** What {@link readKept} found: the identity, or none (`unreadable` says why when a file was there). */
type KeptRead = { readonly kept: StoredIdentity; readonly unreadable?: undefined } | { readonly kept: undefined; readonly unreadable: string | undefined };

/** The identity in a file's text, or why it is none. */
function parseKept(text: string): KeptRead {
  if (text.trim() === '') return { kept: undefined, unreadable: 'it is empty' };
  let stored: Partial<StoredIdentity> | null;
  try {
    stored = JSON.parse(text) as Partial<StoredIdentity> | null;
  } catch {
    return { kept: undefined, unreadable: 'it is not valid JSON' };
  }
  if (typeof stored?.site !== 'string' || !/^[0-9a-f]{32}$/.test(stored.site)) return { kept: undefined, unreadable: 'it holds no "site" of 32 lowercase hex digits' };
  return { kept: { version: 1, site: stored.site, ...(typeof stored.folder === 'string' ? { folder: stored.folder } : {}) } };
}

/**
 * A folder's identity: its birth time, in ns (`birth:<ns>`). It is new for a
 * copy (a data folder copied to another laptop, a backup put back as a new
 * folder). Undefined when it is not known to be one: a platform that gives
 * no birth time reports 0, or the change time, so a birth time equal to the
 * change time is no evidence (nor is it proof of a true birth time on a
 * folder untouched since it was made).
 */
function birthOf(folder: string): string | undefined {
  const stat = statSync(folder, { bigint: true });
  return stat.birthtimeNs === 0n || stat.birthtimeNs === stat.ctimeNs ? undefined : `birth:${stat.birthtimeNs}`;
}

/** The folder's birth time as a copy's evidence: none known (a platform without one) is no evidence. */
function isCopy(kept: StoredIdentity, stateDir: string): boolean {
  if (kept.folder === undefined) return false;
  const stat = statSync(stateDir, { bigint: true });
  // Recorded only where it was a true birth time (see birthOf): the same folder keeps it, a copy has another.
  return stat.birthtimeNs !== 0n && `birth:${stat.birthtimeNs}` !== kept.folder;
}

/** The most an identity file holds (it holds about 100 bytes): a larger one is no identity, and is not read. */
const MAX_IDENTITY_BYTES = 4096;

/**
 * The identity kept in `file`, or none when missing or not one (emptied, cut short, edited by hand; larger
 * than {@link MAX_IDENTITY_BYTES}; not a regular file: a link, a pipe or a device, never opened, since a pipe would
 * block the start and a link to `/dev/zero` fill its memory; the new identity's rename replaces the entry itself),
 * with why when a file was there. A folder there is read, to fail with `EISDIR`.
 */
function readKept(file: string): KeptRead {
  const found = lstatSync(file, { throwIfNoEntry: false });
  if (found === undefined) return { kept: undefined, unreadable: undefined };
  if (!found.isDirectory() && !found.isFile()) return { kept: undefined, unreadable: 'it is not a regular file (a symbolic link, a pipe or a device)' };
  if (!found.isDirectory() && found.size > MAX_IDENTITY_BYTES) return { kept: undefined, unreadable: `it is larger than ${MAX_IDENTITY_BYTES} bytes` };
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { kept: undefined, unreadable: undefined };
    throw error;
  }
  return parseKept(text);
}

/** Writes `text` to `file` atomically (temp file, fsync, rename, the folder synced): a crash leaves the old file or the new one. */
function writeAtomicallySync(file: string, text: string): void {
  const temp = reserveTempPath(file);
  try {
    const handle = openSync(temp, 'wx', 0o644);
    try {
      writeSync(handle, text);
      fsyncSync(handle);
    } finally {
      closeSync(handle);
    }
    renameSync(temp, file);
  } catch (error) {
    rmSync(temp, { force: true });
    throw error;
  } finally {
    releaseTempPath(temp);
  }
  try {
    const folder = openSync(path.dirname(file), 'r');
    try {
      fsyncSync(folder);
    } finally {
      closeSync(folder);
    }
  } catch {
    // a platform that cannot open a folder (Windows): the rename is kept by the file system's own journal
  }
}

/**
 * The identity of a server that syncs files without data, kept in
 * `<stateDir>/files-site.json`: made once (random, 32 lowercase hex, the
 * shape of a site id), then the same at every start. Its peers learn it
 * from `GET /files/info` and key the file-sync base they keep with this
 * server by it; it sends and records `POST /files/settled` under it.
 *
 * As a database's site id belongs to one file's history, this identity
 * belongs to one state folder: the file keeps the folder's birth time (once
 * it is known to be one: see birthOf), and a folder that is a copy (a data folder copied to another laptop, or put
 * back from a backup: a new folder, so another birth time) takes a new
 * identity at its start. Its bases, kept under the old one, then count as
 * none (a first sync: nothing deleted), since its files need not be the
 * ones they name. A folder wiped, or a file that is not an identity, is a
 * new server likewise (`unreadable` says why the file was none, to be logged). Not told apart (no evidence, never guessed): a
 * platform that gives no birth time, and a block-level copy (a VM or ZFS
 * snapshot).
 * @throws the file system's error when the folder cannot be made or the file written
 */
export function loadFilesIdentity(stateDir: string): FilesIdentity {
  mkdirSync(stateDir, { recursive: true });
  const file = path.join(stateDir, FILES_IDENTITY_FILE);
  const { kept, unreadable } = readKept(file);
  if (kept !== undefined && !isCopy(kept, stateDir)) {
    recordFolder(file, kept);
    return { site: kept.site, replaced: undefined };
  }
  const site = randomBytes(16).toString('hex');
  const made: StoredIdentity = { version: 1, site };
  writeAtomicallySync(file, JSON.stringify(made));
  recordFolder(file, made); // the write moved the folder's change time: its birth time may be told now
  const replaced = kept === undefined ? undefined : { previous: kept.site, reason: `the state folder ${stateDir} is a copy (another birth time than the one its identity was kept in)` };
  return { site, replaced, unreadable };
}

/** Records the state folder's birth time in the identity file once it is known to be one (see birthOf), so a later copy is told apart; true once it is recorded. */
function recordFolder(file: string, kept: StoredIdentity): boolean {
  if (kept.folder !== undefined) return true;
  const folder = birthOf(path.dirname(file));
  if (folder === undefined) return false;
  writeAtomicallySync(file, JSON.stringify({ ...kept, folder } satisfies StoredIdentity));
  return true;
}

/**
 * Records the state folder's birth time in the identity `site` kept there, when its start could not yet
 * (a folder made at that start shows its birth time only once it is written again): called after rounds, so a
 * folder copied before the server's next start is told apart too. True once it is recorded (or the file holds
 * another identity: nothing to do); false to be called again later.
 * @throws the file system's error when the file cannot be written
 */
export function keepFolderOfIdentity(stateDir: string, site: string): boolean {
  const file = path.join(stateDir, FILES_IDENTITY_FILE);
  const { kept } = readKept(file);
  return kept?.site !== site || recordFolder(file, kept);
}
