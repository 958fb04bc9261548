import { stat } from 'node:fs/promises';
import type { Stats } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import { digestFile, digestOpenFile, type FileDigest } from '../lib/files/file-hash';
import type { ManifestCache } from '../lib/files/manifest-cache';
import { SyncError } from '../lib/sync-error';

const SHA256_HEX = /^[0-9a-f]{64}$/;

/** A precondition on a file's current state: its digest, or that it does not exist. */
export type FilePrecondition = { readonly kind: 'sha256'; readonly sha256: string } | { readonly kind: 'absent' };

/**
 * Reads the `if_match` query parameter: a SHA-256 the current file must have,
 * or `none` when no file may exist yet. Undefined when not given.
 * @throws SyncError `BAD_PRECONDITION` (400) for any other value
 */
export function readPrecondition(value: unknown): FilePrecondition | undefined {
  if (value === undefined) return undefined;
  if (value === 'none') return { kind: 'absent' };
  if (typeof value === 'string' && SHA256_HEX.test(value.toLowerCase())) return { kind: 'sha256', sha256: value.toLowerCase() };
  throw new SyncError('BAD_PRECONDITION', 400, '`if_match` must be a sha256 (64 hex characters) or `none`');
}

/** The digest of a file whose stats are known, through the shared cache. */
export async function digestThroughCache(cache: ManifestCache, absolute: string, stats: Stats): Promise<FileDigest> {
  const cached = cache.get(absolute, stats);
  if (cached !== undefined) return cached;
  const digest = await digestFile(absolute, stats.size);
  cache.set(absolute, stats, digest);
  return digest;
}

/**
 * The digest of an open file whose stats (`handle.stat()`) are known, through
 * the shared cache, read through the handle: it is always the digest of the
 * bytes the handle serves, and cached under that very file's stats, even when
 * the path is replaced meanwhile.
 */
export async function digestOfOpenFile(cache: ManifestCache, absolute: string, handle: FileHandle, stats: Stats): Promise<FileDigest> {
  const cached = cache.get(absolute, stats);
  if (cached !== undefined) return cached;
  const digest = await digestOpenFile(handle, stats.size);
  cache.set(absolute, stats, digest);
  return digest;
}

/** The digest of a file on disk through the shared cache; undefined when it does not exist. */
async function currentDigest(cache: ManifestCache, absolute: string): Promise<FileDigest | undefined> {
  const stats = await stat(absolute).catch(() => undefined);
  if (stats === undefined || !stats.isFile()) return undefined;
  return digestThroughCache(cache, absolute, stats);
}

/**
 * Checks a precondition against the file's current state, whatever the bytes
 * to be written (of several uploads on one base, exactly one wins, even when
 * they carry the same bytes).
 * @param refused - what the refusal did not do, for its message: the file was not `written` (upload) or not `deleted`
 * @throws SyncError `PRECONDITION_FAILED` (412) when the file changed meanwhile
 */
export async function checkPrecondition(
  cache: ManifestCache,
  absolute: string,
  clientPath: string,
  precondition: FilePrecondition | undefined,
  refused: 'written' | 'deleted' = 'written',
): Promise<void> {
  if (precondition === undefined) return;
  const current = await currentDigest(cache, absolute);
  const currentSha = current?.kind === 'file' ? current.sha256 : undefined;
  const holds = precondition.kind === 'absent' ? current === undefined : currentSha === precondition.sha256;
  if (!holds) {
    const now = current === undefined ? 'does not exist' : `has sha256 ${currentSha ?? '(database content)'}`;
    throw new SyncError('PRECONDITION_FAILED', 412, `${clientPath} changed meanwhile: it ${now}; nothing was ${refused}`);
  }
}
