import { createReadStream, type Stats } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';
import type { Request, Response } from 'express';
import { databaseSideFolderOn, isSideFileOfDatabaseSync, readHeader } from '../lib/files/database-file';
import { databaseContentRefused, nameRefusal, resolveSyncPathOrDatabaseName } from '../lib/files/database-refusal';
import { readFileQuery } from '../lib/files/raw-query';
import { openRegularFile } from '../lib/files/regular-file';
import { fileUnreadable, type ResolvedSyncPath } from '../lib/files/safe-path';
import { DEFAULTS } from '../lib/defaults';
import { SyncError } from '../lib/sync-error';
import { digestOfOpenFile, downloadIfMatchFailed, downloadMatches } from './file-state';
import type { FileRoutesConfig } from './files-config';
import { abandonWhenStalled } from '../middleware/stall';

/**
 * Opens the file to serve, never waiting on a pipe or device (see `openRegularFile`).
 * @throws SyncError `NOT_FOUND` (404) when missing (also gone since it was listed) or not a regular file; `FILE_UNREADABLE` (403) when this server may not read it
 */
async function openExisting(absolute: string, clientPath: string): Promise<{ readonly handle: FileHandle; readonly stats: Stats }> {
  let opened;
  try {
    opened = await openRegularFile(absolute);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') throw new SyncError('NOT_FOUND', 404, `${clientPath} does not exist`);
    if (code === 'EACCES' || code === 'EPERM') throw fileUnreadable(clientPath);
    throw error;
  }
  if (opened === undefined) throw new SyncError('NOT_FOUND', 404, `${clientPath} is not a regular file (a folder, pipe, socket or device); only files are served`);
  return opened;
}

async function refuseDatabaseContent(handle: FileHandle, config: FileRoutesConfig, clientPath: string): Promise<void> {
  if (config.policy.isDatabaseContent(await readHeader(handle))) throw databaseContentRefused(clientPath);
}

/**
 * True when `If-Range` (if sent) still names this version of the file: its
 * strong ETag. A date never does (a file replaced within the same second
 * keeps its Last-Modified: RFC 9110 calls that validator weak), nor a weak
 * tag; the whole file is sent then (RFC 9110 13.1.5), so a resumed download
 * never splices two versions.
 */
function rangeStillApplies(req: Request, sha256: string): boolean {
  const ifRange = req.get('If-Range');
  return ifRange === undefined || ifRange === `"${sha256}"`;
}

/**
 * True when `If-None-Match` names this file's ETag (or is `*`), compared
 * weakly as RFC 9110 13.1.2 says; `Cache-Control: no-cache` in the request
 * (as `fetch()` sends) does not change that, unlike Express's `req.fresh`.
 */
function notModified(req: Request, sha256: string): boolean {
  const header = req.get('If-None-Match');
  if (header === undefined) return false;
  return header.split(',').some((tag) => {
    const trimmed = tag.trim();
    return trimmed === '*' || trimmed.replace(/^W\//, '') === `"${sha256}"`;
  });
}

/** A byte range, both ends included. */
interface ByteRange {
  readonly start: number;
  readonly end: number;
}

/**
 * One range spec of a `Range: bytes=` header in a file of `size` (> 0) bytes:
 * the range, `null` when it cannot be met, or undefined when it is malformed.
 * A suffix longer than the file means the whole file (RFC 9110 14.1.3).
 */
function parseRangeSpec(spec: string, size: number): ByteRange | null | undefined {
  const match = /^\s*(\d*)\s*-\s*(\d*)\s*$/.exec(spec);
  if (match === null || (match[1] === '' && match[2] === '')) return undefined;
  const [, first = '', last = ''] = match;
  if (first === '') {
    const suffix = Number(last);
    return suffix === 0 ? null : { start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(first);
  const end = last === '' ? size - 1 : Math.min(Number(last), size - 1);
  return start > end ? null : { start, end };
}

/**
 * The byte ranges a `Range` header asks of a file of `size` (> 0) bytes,
 * overlapping and adjacent ones combined: `'ignore'` for a header that is
 * malformed or not in bytes (the whole file is sent), `'unsatisfiable'` when
 * no range can be met (416).
 */
function parseByteRanges(header: string, size: number): readonly ByteRange[] | 'ignore' | 'unsatisfiable' {
  const equals = header.indexOf('=');
  if (equals === -1 || header.slice(0, equals).trim().toLowerCase() !== 'bytes') return 'ignore';
  const ranges: ByteRange[] = [];
  for (const spec of header.slice(equals + 1).split(',')) {
    const range = parseRangeSpec(spec, size);
    if (range === undefined) return 'ignore';
    if (range !== null) ranges.push(range);
  }
  if (ranges.length === 0) return 'unsatisfiable';
  const combined: ByteRange[] = [];
  for (const range of ranges.sort((a, b) => a.start - b.start)) {
    const previous = combined.at(-1);
    if (previous !== undefined && range.start <= previous.end + 1) combined[combined.length - 1] = { start: previous.start, end: Math.max(previous.end, range.end) };
    else combined.push(range);
  }
  return combined;
}

/** Ranges to send: the whole file, one range, or undefined when the range cannot be met. */
function pickRange(req: Request, size: number, sha256: string): { readonly start: number; readonly end: number; readonly partial: boolean } | undefined {
  const whole = { start: 0, end: size - 1, partial: false };
  const header = req.headers.range;
  if (header === undefined || !rangeStillApplies(req, sha256)) return whole;
  const ranges = parseByteRanges(header, size);
  if (ranges === 'unsatisfiable') return undefined;
  const [range] = ranges === 'ignore' || ranges.length !== 1 ? [] : ranges;
  return range === undefined ? whole : { start: range.start, end: range.end, partial: true };
}

/** The headers of a file answer: its SHA-256 as a strong ETag, never rendered by a browser. */
function setFileHeaders(res: Response, sha256: string, mtime: Date): void {
  res.setHeader('ETag', `"${sha256}"`);
  res.setHeader('X-Content-SHA256', sha256);
  res.setHeader('Accept-Ranges', 'bytes');
  res.setHeader('Last-Modified', mtime.toUTCString());
  res.setHeader('Content-Type', 'application/octet-stream');
  res.setHeader('Content-Disposition', 'attachment');
}

/**
 * Refuses a database by name (`DB_FILE_REFUSED`), and the side file of a database beside it, or a file in a folder
 * under such a name (`store-journal/x.txt` beside a database `store`: `DB_CONTENT_REFUSED`, as upload and delete do).
 */
async function refuseDatabaseName(config: FileRoutesConfig, target: ResolvedSyncPath, clientPath: string): Promise<void> {
  if (config.policy.isDatabaseName(target.relative)) throw nameRefusal(config.policy, target.relative, clientPath);
  if (isSideFileOfDatabaseSync(target.absolute)) throw databaseContentRefused(clientPath);
  if ((await databaseSideFolderOn(target.rootDir, target.relative)) !== undefined) throw databaseContentRefused(clientPath);
}

/**
 * `GET /files/download?path=<root>/<file>`: streams a file with its SHA-256
 * as a strong ETag and `X-Content-SHA256`, honouring `If-Match` (412), `If-None-Match` and one
 * `Range` (with `If-Range`). 403 for a database file by name or content, 404 when missing.
 * A download whose client takes no bytes for `sendStallMs` is abandoned: its connection cut, its file closed;
 * so is one whose file was cut short in place while it was sent (the answer would fall short of its Content-Length).
 */
export async function serveFile(config: FileRoutesConfig, req: Request, res: Response): Promise<void> {
  const query = readFileQuery(req.originalUrl, ['path']);
  const target = await resolveSyncPathOrDatabaseName(config.roots, config.policy, query.path, true);
  const clientPath = `${target.root}/${target.relative}`;
  await refuseDatabaseName(config, target, clientPath);
  const { handle, stats } = await openExisting(target.absolute, clientPath);
  let streaming = false;
  try {
    await refuseDatabaseContent(handle, config, clientPath);
    const digest = await digestOfOpenFile(config.cache, target.absolute, handle, stats);
    if (digest.kind === 'database') throw databaseContentRefused(clientPath);
    if (!downloadMatches(req.headers, digest.sha256)) {
      throw downloadIfMatchFailed(req.headers, digest.sha256, clientPath); // before If-None-Match and Range, as RFC 9110 13.2.2 orders them
    }
    if (notModified(req, digest.sha256)) {
      setFileHeaders(res, digest.sha256, stats.mtime);
      res.status(304).end(); // before Range, as RFC 9110 13.2.2 orders them
      return;
    }
    const range = stats.size === 0 ? { start: 0, end: -1, partial: false } : pickRange(req, stats.size, digest.sha256);
    if (range === undefined) {
      res.setHeader('Content-Range', `bytes */${stats.size}`);
      throw new SyncError('RANGE_NOT_SATISFIABLE', 416, `the requested range is outside the file's ${stats.size} bytes`);
    }
    setFileHeaders(res, digest.sha256, stats.mtime);
    res.status(range.partial ? 206 : 200);
    if (range.partial) res.setHeader('Content-Range', `bytes ${range.start}-${range.end}/${stats.size}`);
    res.setHeader('Content-Length', String(range.end - range.start + 1));
    if (req.method === 'HEAD' || range.end < range.start) {
      res.end();
      return;
    }
    streaming = true; // the stream closes the handle, also when the socket is cut
    abandonWhenStalled(req, res, config.sendStallMs ?? DEFAULTS.sendStallMs, config.logger);
    const file = createReadStream('', { fd: handle, start: range.start, end: range.end });
    await pipeline(file, res).catch(() => {
      // the client went away mid-download; nothing to answer
    });
    // Cut short in place meanwhile (a log rotated by truncation): the answer never reached its Content-Length.
    // The connection is cut, so the client learns it now instead of waiting on a kept-alive socket for the rest.
    if (file.bytesRead < range.end - range.start + 1) req.socket.destroy();
  } finally {
    if (!streaming) await handle.close();
  }
}
