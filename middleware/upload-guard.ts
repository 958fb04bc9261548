import type { NextFunction, Request, RequestHandler, Response } from 'express';
import multer, { type FileFilterCallback } from 'multer';
import type { FilePolicy } from '../lib/files/file-policy';
import { removeTempFile } from '../lib/files/atomic-file';
import { isDatabaseOnDisk } from '../lib/files/database-file';
import { resolveSyncPath, type ResolvedSyncPath } from '../lib/files/safe-path';
import { SyncError } from '../lib/sync-error';
import { AtomicDiskStorage } from './atomic-storage';
import { lingerOnClose, type DrainLimits } from './lingering-close';
import { getUploadContext, setUploadContext, type UploadContext } from './upload-context';

/** Room for multipart boundaries, part headers and the small fields around the file. */
export const MULTIPART_OVERHEAD_BYTES = 64 * 1024;

/** Options of {@link uploadGuard}; the router resolves them, so all are required here. */
export interface UploadGuardOptions {
  /** Sync roots: name to absolute directory. */
  readonly roots: ReadonlyMap<string, string>;
  /** Root that receives an upload sent without `?path=`. */
  readonly uploadRoot: string;
  /** The database-file policy. */
  readonly policy: FilePolicy;
  /** Largest file accepted, in bytes. */
  readonly maxFileBytes: number;
  /** How much of a refused body is read after the early answer. */
  readonly drain: DrainLimits;
}

function refuseDatabaseName(name: string): SyncError {
  return new SyncError('DB_FILE_REFUSED', 403, `${name} is an SQLite database file name; databases sync as data, never as files`);
}

/** Resolves `?path=` (when given) and refuses a database target before any body byte is read. */
async function resolveQueryTarget(req: Request, options: UploadGuardOptions): Promise<ResolvedSyncPath | undefined> {
  const query = req.query.path;
  if (query === undefined) return undefined;
  const target = await resolveSyncPath(options.roots, query, true);
  await refuseDatabaseTarget(target, options);
  return target;
}

/** A target named like a database, or that is one on disk (by content, or as its side file), is refused. */
async function refuseDatabaseTarget(target: ResolvedSyncPath, options: UploadGuardOptions): Promise<void> {
  const clientPath = `${target.root}/${target.relative}`;
  if (options.policy.isDatabaseName(target.relative)) throw refuseDatabaseName(clientPath);
  if (await isDatabaseOnDisk(target.absolute)) {
    throw new SyncError('DB_CONTENT_REFUSED', 403, `${clientPath} is an SQLite database on disk (or its -wal/-shm/-journal); it is never replaced by an upload`);
  }
}

function checkDeclaredLength(req: Request, limit: number): void {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > limit) {
    throw new SyncError('FILE_TOO_LARGE', 413, `the request body (${declared} bytes) is larger than the upload limit`);
  }
}

/** Cuts off a body (also a chunked one) once it grows past `limit`. */
function watchBodySize(req: Request, limit: number, context: UploadContext): void {
  let seen = 0;
  const onData = (chunk: Buffer): void => {
    seen += chunk.length;
    if (seen <= limit) return;
    req.off('data', onData);
    context.fail(new SyncError('FILE_TOO_LARGE', 413, 'the request body is larger than the upload limit'));
  };
  req.on('data', onData);
}

/**
 * Builds the per-request context. `fail` answers once, right away: it stops
 * the storage engine, waits for its clean-up, asks for a lingering close,
 * and passes the error to the error middleware. A later call from multer
 * (which drains the body before calling back) is then ignored.
 */
function createContext(req: Request, res: Response, next: NextFunction, drain: DrainLimits): UploadContext & { finish(error?: unknown): void } {
  let settled = false;
  const context = {
    get settled(): boolean {
      return settled;
    },
    target: undefined as ResolvedSyncPath | undefined,
    activeStream: undefined as UploadContext['activeStream'],
    storageIdle: Promise.resolve(),
    fail(error: unknown): void {
      if (settled) return;
      settled = true;
      context.activeStream?.destroy(error instanceof Error ? error : new Error(String(error)));
      void context.storageIdle.then(() => {
        res.setHeader('Connection', 'close');
        lingerOnClose(req.socket, drain);
        next(error);
      });
    },
    finish(error?: unknown): void {
      if (settled) return;
      settled = true;
      next(error);
    },
  };
  return context;
}

function createFileFilter(options: UploadGuardOptions) {
  return function uploadFileFilter(req: Request, file: Express.Multer.File, callback: FileFilterCallback): void {
    const context = getUploadContext(req);
    if (context.settled) return callback(null, false); // already answered (e.g. too large): store nothing
    const refuse = (error: unknown): void => {
      context.fail(error);
      callback(error as Error);
    };
    if (options.policy.isDatabaseName(file.originalname)) return refuse(refuseDatabaseName(JSON.stringify(file.originalname)));
    if (context.target !== undefined) return callback(null, true);
    resolveSyncPath(options.roots, `${options.uploadRoot}/${file.originalname}`, true)
      .then(async (target) => {
        await refuseDatabaseTarget(target, options);
        context.target = target;
        callback(null, true);
      })
      .catch(refuse);
  };
}

/**
 * The upload guard: checks the target before reading the body, refuses a
 * database name (target path or original file name) with 403 in multer's
 * `fileFilter` before the storage engine opens anything, and lets
 * {@link AtomicDiskStorage} sniff and stream the rest. Any refusal is
 * answered at once with `Connection: close` and a bounded drain. On success
 * `req.file` holds the temp file (see {@link StoredUpload}) and
 * `req.uploadTarget` its destination; the route commits it.
 * @throws TypeError never at request time; options are checked by the router
 */
export function uploadGuard(options: UploadGuardOptions): RequestHandler {
  const bodyLimit = options.maxFileBytes + MULTIPART_OVERHEAD_BYTES;
  const parse = multer({
    storage: new AtomicDiskStorage({ policy: options.policy, maxFileBytes: options.maxFileBytes }),
    fileFilter: createFileFilter(options),
    defParamCharset: 'utf8',
    limits: { files: 1, fields: 8, parts: 6, fieldSize: 1024, fieldNameSize: 100, headerPairs: 20 },
  }).single('file');

  return function uploadGuardMiddleware(req, res, next) {
    const context = createContext(req, res, next, options.drain);
    setUploadContext(req, context);
    Promise.resolve()
      .then(async () => {
        checkDeclaredLength(req, bodyLimit);
        context.target = await resolveQueryTarget(req, options);
      })
      .then(
        () => {
          watchBodySize(req, bodyLimit, context);
          parse(req, res, (error?: unknown) => {
            if (context.settled && req.file !== undefined) {
              void removeTempFile(req.file.path); // stored before the early answer; the answer already went out
              return;
            }
            if (error === undefined && req.file === undefined) {
              context.finish(new SyncError('NO_FILE', 400, 'no file: send it as multipart/form-data in the field "file"'));
              return;
            }
            context.finish(error);
          });
        },
        (error: unknown) => context.fail(error),
      );
  };
}

/** The destination of the file accepted by {@link uploadGuard} for this request. */
export function uploadTargetOf(req: Request): ResolvedSyncPath {
  const target = getUploadContext(req).target;
  if (target === undefined) throw new Error('express-sqlite-sync: no upload target on this request');
  return target;
}
