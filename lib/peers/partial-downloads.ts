import { createHash, type Hash } from 'node:crypto';
import { open, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { DEFAULTS } from '../defaults';
import { openTempFile, removeTempFile } from '../files/atomic-file';
import { DATABASE_HEADER_BYTES } from '../files/file-policy';

/** A download cut off by the link is kept for a retry only from this many bytes on (a smaller one is fetched again). */
export const RESUME_MIN_BYTES = 256 * 1024;
/** Downloads kept at most; keeping another removes the oldest. */
const MAX_KEPT = 8;

/** A download cut off by the link: its temp file and how many bytes of `sha256` it holds. */
interface KeptDownload {
  readonly tempPath: string;
  readonly sha256: string;
  readonly bytes: number;
  readonly keptAt: number;
}

const REGISTRY_KEY = Symbol.for('express-sqlite-sync.keptDownloads');

/** Kept downloads by target path (shared by every copy of the module, as the temp files' reservations are). */
function kept(): Map<string, KeptDownload> {
  const holder = globalThis as { [REGISTRY_KEY]?: Map<string, KeptDownload> };
  holder[REGISTRY_KEY] ??= new Map<string, KeptDownload>();
  return holder[REGISTRY_KEY];
}

/** A download's temp file as it is being written: the bytes so far, their hash and header. */
export interface TempDownload {
  readonly tempPath: string;
  readonly handle: FileHandle;
  hash: Hash;
  header: Buffer;
  bytes: number;
}

/** Removes kept downloads past `DEFAULTS.staleTempFileMs`, so a file never asked for again is not kept for ever. */
async function dropExpired(now: number): Promise<void> {
  for (const [target, download] of kept()) {
    if (now - download.keptAt <= DEFAULTS.staleTempFileMs) continue;
    kept().delete(target);
    await removeTempFile(download.tempPath).catch(() => undefined);
  }
}

/** Reads the first `bytes` of a kept download again, for the hash of the whole file. */
async function rehash(handle: FileHandle, bytes: number): Promise<{ readonly hash: Hash; readonly header: Buffer }> {
  const hash = createHash('sha256');
  const buffer = Buffer.alloc(Math.min(bytes, 1024 * 1024));
  let header = Buffer.alloc(0);
  for (let position = 0; position < bytes; ) {
    const { bytesRead } = await handle.read(buffer, 0, Math.min(buffer.length, bytes - position), position);
    if (bytesRead === 0) throw new Error('kept download shorter than recorded');
    if (position === 0) header = Buffer.from(buffer.subarray(0, Math.min(bytesRead, DATABASE_HEADER_BYTES)));
    hash.update(buffer.subarray(0, bytesRead));
    position += bytesRead;
  }
  return { hash, header };
}

/**
 * The temp file for a download of `sha256` to `target`: the one a download
 * of these very bytes (the peer's listing unchanged) kept when the link cut
 * it off, read again for its hash, or a new empty one. A kept download of
 * other bytes (the file changed on the peer since) is removed.
 */
export async function resumeOrOpen(target: string, sha256: string, now = Date.now()): Promise<TempDownload> {
  await dropExpired(now);
  const previous = kept().get(target);
  kept().delete(target);
  if (previous !== undefined && previous.sha256 === sha256) {
    const handle = await open(previous.tempPath, 'r+').catch(() => undefined);
    if (handle !== undefined) {
      try {
        const { hash, header } = await rehash(handle, previous.bytes);
        await handle.truncate(previous.bytes);
        return { tempPath: previous.tempPath, handle, hash, header, bytes: previous.bytes };
      } catch {
        await handle.close().catch(() => undefined);
      }
    }
  }
  if (previous !== undefined) await removeTempFile(previous.tempPath).catch(() => undefined);
  const { tempPath, handle } = await openTempFile(target);
  return { tempPath, handle, hash: createHash('sha256'), header: Buffer.alloc(0), bytes: 0 };
}

/** Starts a download over: the peer sent the whole file rather than the rest. */
export async function restartDownload(download: TempDownload): Promise<void> {
  await download.handle.truncate(0);
  Object.assign(download, { hash: createHash('sha256'), header: Buffer.alloc(0), bytes: 0 });
}

/**
 * Keeps a download the link cut off (its handle closed), for the next
 * download of the same bytes to `target` to go on from where it stopped;
 * one under {@link RESUME_MIN_BYTES} is removed instead. The temp file stays
 * reserved, so no sweep removes it, until it is resumed, replaced, or older
 * than `DEFAULTS.staleTempFileMs`.
 */
export async function keepDownload(target: string, download: TempDownload, sha256: string, now = Date.now()): Promise<void> {
  if (download.bytes < RESUME_MIN_BYTES) {
    await removeTempFile(download.tempPath);
    return;
  }
  const previous = kept().get(target);
  kept().delete(target);
  if (previous !== undefined) await removeTempFile(previous.tempPath).catch(() => undefined);
  kept().set(target, { tempPath: download.tempPath, sha256, bytes: download.bytes, keptAt: now });
  while (kept().size > MAX_KEPT) {
    const [oldest, dropped] = kept().entries().next().value as [string, KeptDownload];
    kept().delete(oldest);
    await removeTempFile(dropped.tempPath).catch(() => undefined);
  }
}

/**
 * Removes the downloads kept under `folder` before `since` (a round's start)
 * that the round did not take up again: the peer no longer lists those bytes
 * there (the file changed, or went), so they would never be resumed.
 */
export async function dropKeptDownloadsUnder(folder: string, since: number): Promise<void> {
  const prefix = folder.endsWith(path.sep) ? folder : folder + path.sep;
  for (const [target, download] of kept()) {
    if (!target.startsWith(prefix) || download.keptAt >= since) continue;
    kept().delete(target);
    await removeTempFile(download.tempPath).catch(() => undefined);
  }
}
