import { promisify } from 'node:util';
import zlib from 'node:zlib';
import { SyncError, TooLargeError } from './sync-error';

/** The content codings sync bodies may travel in (HTTP `Content-Encoding`). */
export type ContentCoding = 'br' | 'gzip' | 'identity';

/** The compressed codings, in the order a server prefers them when a client accepts both. */
export const COMPRESSED_CODINGS: readonly Exclude<ContentCoding, 'identity'>[] = ['gzip', 'br'];

/** Bodies smaller than this are sent as they are: compressing them saves less than it costs. */
export const MIN_COMPRESSED_BYTES = 1024;

/** Fast settings: a sync page is compressed once and read once, so speed beats the last percent. */
const GZIP_OPTIONS: zlib.ZlibOptions = { level: 1 };
const BROTLI_OPTIONS: zlib.BrotliOptions = { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 4 } };

const gzip = promisify(zlib.gzip);
const brotli = promisify(zlib.brotliCompress);
const gunzip = promisify<zlib.InputType, zlib.ZlibOptions, Buffer>(zlib.gunzip);
const unbrotli = promisify<zlib.InputType, zlib.BrotliOptions, Buffer>(zlib.brotliDecompress);

/** Reads a `Content-Encoding` header; undefined for a coding this code does not speak. */
export function parseCoding(header: string | undefined): ContentCoding | undefined {
  const value = (header ?? '').trim().toLowerCase();
  if (value === '' || value === 'identity') return 'identity';
  return value === 'gzip' || value === 'br' ? value : undefined;
}

/** Compresses a body off the event loop (zlib runs in the thread pool). */
export async function encodeBody(body: Buffer, coding: ContentCoding): Promise<Buffer> {
  if (coding === 'gzip') return gzip(body, GZIP_OPTIONS);
  if (coding === 'br') return brotli(body, BROTLI_OPTIONS);
  return body;
}

/**
 * Inflates a body off the event loop, never past `maxBytes`: a small body
 * that would inflate to gigabytes (a zip bomb) is refused, not inflated.
 * @throws SyncError `code` (`status`) when it would inflate past `maxBytes` or is not validly compressed
 */
export async function decodeBody(body: Buffer, coding: ContentCoding, maxBytes: number, refusal: { readonly code: string; readonly status: number; readonly what: string }): Promise<Buffer> {
  if (coding === 'identity') return body;
  try {
    return coding === 'gzip' ? await gunzip(body, { maxOutputLength: maxBytes }) : await unbrotli(body, { maxOutputLength: maxBytes });
  } catch (error) {
    const tooLarge = (error as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE';
    if (tooLarge) throw new TooLargeError(refusal.code, refusal.status, `${refusal.what}: it inflates to more than ${maxBytes} bytes`, maxBytes);
    throw new SyncError(refusal.code, refusal.status, `${refusal.what}: it is not valid ${coding} data`);
  }
}

/**
 * A streaming inflater for `coding` (undefined for identity), for bodies too
 * large to hold in memory (snapshots); the caller bounds the bytes it reads.
 */
export function decodingStream(coding: ContentCoding): zlib.Gunzip | zlib.BrotliDecompress | undefined {
  if (coding === 'gzip') return zlib.createGunzip();
  if (coding === 'br') return zlib.createBrotliDecompress();
  return undefined;
}

/** A streaming compressor for `coding` (undefined for identity). */
export function encodingStream(coding: ContentCoding): zlib.Gzip | zlib.BrotliCompress | undefined {
  if (coding === 'gzip') return zlib.createGzip(GZIP_OPTIONS);
  if (coding === 'br') return zlib.createBrotliCompress(BROTLI_OPTIONS);
  return undefined;
}
