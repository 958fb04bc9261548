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

/** One strong ETag as the download answers it: the file's SHA-256 in quotes. */
const STRONG_SHA256_TAG = /^"([0-9a-fA-F]{64})"$/;

/** The HTTP condition headers a file write must not pass over (RFC 9110 13.1). */
type ConditionHeaders = Readonly<Record<string, string | string[] | undefined>>;

function badConditionHeader(name: string, value: string, taken: string): SyncError {
  return new SyncError('BAD_PRECONDITION', 400, `${name}: ${JSON.stringify(value)} is not taken here (${taken}); give the file's sha256 as \`if_match\` instead; nothing was done`);
}

/**
 * The precondition of the standard headers, so that a write never passes over
 * one: `If-Match: "<sha256>"` (one strong ETag, as the download answers it)
 * and, on upload, `If-None-Match: *` (`if_match=none`).
 * @param absentAllowed - true when `If-None-Match: *` is taken (upload; a deletion of nothing is 404 anyway)
 * @throws SyncError `BAD_PRECONDITION` (400) for any other form (`*`, a list, a weak tag, a date in `If-Unmodified-Since`)
 */
export function headerPrecondition(headers: ConditionHeaders, absentAllowed: boolean): FilePrecondition | undefined {
  const ifMatch = headers['if-match'];
  const ifNoneMatch = headers['if-none-match'];
  const unmodified = headers['if-unmodified-since'];
  if (typeof unmodified === 'string') throw badConditionHeader('If-Unmodified-Since', unmodified, 'a date does not tell two versions of one second apart');
  const conditions: FilePrecondition[] = [];
  if (typeof ifMatch === 'string') {
    const tag = STRONG_SHA256_TAG.exec(ifMatch.trim());
    if (tag?.[1] === undefined) throw badConditionHeader('If-Match', ifMatch, 'only one strong ETag, "<sha256>"');
    conditions.push({ kind: 'sha256', sha256: tag[1].toLowerCase() });
  }
  if (typeof ifNoneMatch === 'string') {
    if (!absentAllowed || ifNoneMatch.trim() !== '*') throw badConditionHeader('If-None-Match', ifNoneMatch, absentAllowed ? 'only *' : 'not on a deletion');
    conditions.push({ kind: 'absent' });
  }
  return conditions.reduce<FilePrecondition | undefined>((held, next) => samePrecondition(held, next, 'If-Match and If-None-Match'), undefined);
}

/**
 * Whether a download's `If-Match` holds for a file whose SHA-256 is `sha256`: true when none is sent, for `*`
 * (the file exists), and for a list naming its ETag, compared strongly (RFC 9110 13.1.1: a weak tag never
 * matches); false otherwise, so a resumed `Range` never gets the rest of another version.
 * @throws SyncError `BAD_PRECONDITION` (400) for `If-Unmodified-Since`, as on the writes: a date does not tell two versions of one second apart
 */
export function downloadMatches(headers: ConditionHeaders, sha256: string): boolean {
  const unmodified = headers['if-unmodified-since'];
  if (typeof unmodified === 'string') {
    throw new SyncError('BAD_PRECONDITION', 400, `If-Unmodified-Since: ${JSON.stringify(unmodified)} is not taken here (a date does not tell two versions of one second apart); send If-Match: "<sha256>", the ETag the download answered; nothing was sent`);
  }
  const ifMatch = headers['if-match'];
  if (typeof ifMatch !== 'string') return true;
  return ifMatch.split(',').some((tag) => {
    const trimmed = tag.trim();
    return trimmed === '*' || trimmed === `"${sha256}"`;
  });
}

/**
 * The 412 of a download whose `If-Match` failed ({@link downloadMatches}): the file changed since its ETag was
 * read; or, when the file's own ETag was sent in a form If-Match never matches (weak, `W/"…"`, or without its
 * quotes), that form, since the file did not change and refetching it would not help.
 */
export function downloadIfMatchFailed(headers: ConditionHeaders, sha256: string, clientPath: string): SyncError {
  const tags = String(headers['if-match'] ?? '')
    .split(',')
    .map((tag) => tag.trim());
  const form = tags.includes(`W/"${sha256}"`) ? 'as a weak tag (W/"…")' : tags.includes(sha256) ? 'without its quotes' : undefined;
  if (form === undefined) return new SyncError('PRECONDITION_FAILED', 412, `${clientPath} changed meanwhile: it has sha256 ${sha256}, not the If-Match ETag; nothing was sent`);
  return new SyncError('PRECONDITION_FAILED', 412, `${clientPath}: If-Match names its ETag ${form}, which never matches (If-Match compares ETags strongly, RFC 9110): send If-Match: "${sha256}", as the download answers it; nothing was sent`);
}

/**
 * One precondition from two places (a query parameter and a header, say).
 * @throws SyncError `BAD_PRECONDITION` (400) when both are given and differ
 */
export function samePrecondition(first: FilePrecondition | undefined, second: FilePrecondition | undefined, places: string): FilePrecondition | undefined {
  if (first === undefined || second === undefined) return first ?? second;
  const same = first.kind === second.kind && (first.kind === 'absent' || (second.kind === 'sha256' && first.sha256 === second.sha256));
  if (!same) throw new SyncError('BAD_PRECONDITION', 400, `the precondition is given twice (${places}) with different values; nothing was done`);
  return first;
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
