import type { NextFunction, Request, RequestHandler, Response } from 'express';
import multer, { type FileFilterCallback } from 'multer';
import { removeTempFile } from '../lib/files/atomic-file';
import { databaseSideFolderOn, isDatabaseOnDisk } from '../lib/files/database-file';
import { databaseContentRefused, databaseNameRefused, nameRefusal, quotedName } from '../lib/files/database-refusal';
import { rawQueryValues } from '../lib/files/raw-query';
import { refusalPath } from '../lib/refusal-log';
import type { ResolvedSyncPath } from '../lib/files/safe-path';
import { resolveWriteTarget } from '../lib/files/write-target';
import { SyncError } from '../lib/sync-error';
import { AtomicDiskStorage } from './atomic-storage';
import { refuseBodyReadBefore } from './body-read-before';
import { resolveUploadGuardOptions, type UploadGuardConfig, type UploadGuardOptions } from './upload-guard-options';
import { sendSyncError, toSyncError } from './errors';
import { lingerOnClose } from './lingering-close';
import { noFileError } from './no-file';
import { abandonWhenStalled } from './stall';
import { getUploadContext, setUploadContext, type UploadContext } from './upload-context';

export type { UploadGuardOptions } from './upload-guard-options';

/** Room for multipart boundaries, part headers and the small fields around the file. */
export const MULTIPART_OVERHEAD_BYTES = 64 * 1024;

/**
 * `?path=` as sent: read from the URL, not from `req.query`, which an app's
 * `query parser` setting may leave empty (`false`), so that the upload is
 * never stored at the default place instead; several values are refused by
 * `resolveSyncPath`. A form only the app's parser makes (`path[]=` with
 * `'extended'`) is passed on as it parsed it, to be refused there too.
 * @throws SyncError `BAD_PATH` (400) for a value that is not UTF-8 once percent-decoded (a parser would have made it U+FFFD)
 */
function queryPath(req: Request): unknown {
  const sent = rawQueryValues(req.originalUrl, 'path');
  if (sent.length === 0) return req.query.path;
  return sent.length === 1 ? sent[0] : sent;
}

/** Resolves `?path=` (when given) and refuses a database target before any body byte is read. */
async function resolveQueryTarget(req: Request, options: UploadGuardConfig): Promise<ResolvedSyncPath | undefined> {
  const query = queryPath(req);
  if (query === undefined) return undefined;
  const target = await resolveWriteTarget(options.roots, options.policy, query, 'written');
  await refuseDatabaseTarget(target, options);
  return target;
}

/**
 * A target named like a database, or that is one on disk (by content, or as its side file), is refused;
 * so is one in a folder under the name of a side file of a database beside it (`store-journal/x.txt`).
 */
async function refuseDatabaseTarget(target: ResolvedSyncPath, options: UploadGuardConfig): Promise<void> {
  const clientPath = `${target.root}/${target.relative}`;
  if (options.policy.isDatabaseName(target.relative)) throw nameRefusal(options.policy, target.relative, clientPath);
  if (await isDatabaseOnDisk(target.absolute)) throw databaseContentRefused(clientPath);
  if ((await databaseSideFolderOn(target.rootDir, target.relative)) !== undefined) throw databaseContentRefused(clientPath);
}

/**
 * An upload is stored as sent: a body under a `Content-Encoding` (other than
 * `identity`) would be stored still encoded, or parsed as garbage.
 * @throws SyncError `UNSUPPORTED_ENCODING` (415)
 */
function refuseContentEncoding(req: Request): void {
  const coding = req.headers['content-encoding'];
  if (coding === undefined || coding.trim().toLowerCase() === 'identity' || coding.trim() === '') return;
  throw new SyncError('UNSUPPORTED_ENCODING', 415, `uploads are sent without Content-Encoding (the file is stored as it arrives); got ${JSON.stringify(coding)}`);
}

/** The 413 for a body whose declared length is past `limit`, if it is. */
function declaredTooLarge(req: Request, limit: number): SyncError | undefined {
  const declared = Number(req.headers['content-length'] ?? 0);
  return declared > limit ? new SyncError('FILE_TOO_LARGE', 413, `the request body (${declared} bytes) is larger than the upload limit`) : undefined;
}

/** Cuts off a body (also a chunked one) once it grows past `limit`, with `error`. */
function watchBodySize(req: Request, limit: number, context: UploadContext, error: SyncError): void {
  let seen = 0;
  const onData = (chunk: Buffer): void => {
    seen += chunk.length;
    if (seen <= limit) return;
    req.off('data', onData);
    context.fail(error);
  };
  req.on('data', onData);
}

/**
 * Builds the per-request context. `fail` answers once, right away: it stops
 * the storage engine, waits for its clean-up, asks for a lingering close,
 * and passes the error to the error middleware. A later call from multer
 * (which drains the body before calling back) is then ignored.
 */
function createContext(req: Request, res: Response, next: NextFunction, options: UploadGuardConfig): UploadContext & { finish(error?: unknown): void; abandon(): void } {
  let settled = false;
  const deliver = (error: unknown): void => {
    if (error === undefined || options.passErrors) next(error);
    else sendSyncError(res, toSyncError(error));
  };
  const context = {
    get settled(): boolean {
      return settled;
    },
    target: undefined as ResolvedSyncPath | undefined,
    tooLarge: undefined as SyncError | undefined,
    activeStream: undefined as UploadContext['activeStream'],
    storageIdle: Promise.resolve(),
    fail(error: unknown): void {
      if (settled) return;
      settled = true;
      context.activeStream?.destroy(error instanceof Error ? error : new Error(String(error)));
      void context.storageIdle.then(() => {
        res.setHeader('Connection', 'close');
        lingerOnClose(req.socket, options);
        deliver(error);
      });
    },
    finish(error?: unknown): void {
      if (settled) return;
      settled = true;
      deliver(error);
    },
    abandon(): void {
      if (settled) return;
      settled = true;
      context.activeStream?.destroy(new SyncError('REQUEST_ANSWERED', 400, 'the request was answered (by middleware of the app) before the file was stored; nothing is stored'));
      if (!req.complete && !req.socket.destroyed) {
        lingerOnClose(req.socket, options); // the rest of the body is unwanted: a bounded drain, then the connection closes
        req.socket.destroySoon();
      }
    },
  };
  return context;
}

/**
 * Someone else (a timeout middleware of the app, say) may answer while the
 * body is still being stored; Node then never aborts the request, so the
 * storage engine would wait on the body for ever with its temp file open.
 * When the response ends (or the connection closes) before the guard
 * answered, the upload is abandoned: its stream is destroyed, which removes
 * the temp file and closes its handle.
 */
function abandonWhenAnsweredElsewhere(res: Response, context: { abandon(): void }): void {
  const onAnswered = (): void => context.abandon();
  res.once('finish', onAnswered);
  res.once('close', onAnswered);
}

function createFileFilter(options: UploadGuardConfig) {
  return function uploadFileFilter(req: Request, file: Express.Multer.File, callback: FileFilterCallback): void {
    const context = getUploadContext(req);
    if (context.settled) return callback(null, false); // already answered (e.g. too large): store nothing
    const refuse = (error: unknown): void => {
      context.fail(error);
      callback(error as Error);
    };
    try {
      // The name sent, judged whole (a token file's copy is named so) and shown quoted, cut as a refusal keeps a path: a part header holds up to 16 KiB of it.
      const sent = file.originalname;
      if (options.policy.isDatabaseName(sent)) return refuse(databaseNameRefused(sent, options.policy.refusingPattern?.(sent), quotedName(refusalPath(sent))));
    } catch (error) {
      return refuse(error); // a policy that throws: a 500, never a crashed process
    }
    if (context.target !== undefined) return context.tooLarge === undefined ? callback(null, true) : refuse(context.tooLarge);
    let name: string;
    try {
      name = options.fileName(file.originalname); // the app's refusal (not a photo, say) comes before a byte is stored
    } catch (error) {
      return refuse(error); // its SyncError as it is; anything else a 500, never a crashed process
    }
    resolveWriteTarget(options.roots, options.policy, `${options.uploadRoot}/${name}`, 'written')
      .then(async (target) => {
        await refuseDatabaseTarget(target, options);
        if (context.tooLarge !== undefined) throw context.tooLarge; // not a database: now the size
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
 * @throws TypeError, RangeError for bad options, at construction (never at request time)
 */
export function uploadGuard(guardOptions: UploadGuardOptions): RequestHandler {
  const options = resolveUploadGuardOptions(guardOptions);
  const bodyLimit = options.maxUploadBytes + MULTIPART_OVERHEAD_BYTES;
  const parse = multer({
    storage: new AtomicDiskStorage({ policy: options.policy, maxUploadBytes: options.maxUploadBytes }),
    fileFilter: createFileFilter(options),
    defParamCharset: 'utf8',
    limits: { files: 1, fields: 4, parts: 4, fieldSize: 1024, fieldNameSize: 100, headerPairs: 20 },
  }).single('file');

  return function uploadGuardMiddleware(req, res, next) {
    const context = createContext(req, res, next, options);
    setUploadContext(req, context);
    abandonWhenAnsweredElsewhere(res, context);
    abandonWhenStalled(req, res, options.uploadStallMs, options.logger, 'upload');
    Promise.resolve()
      .then(async () => {
        refuseBodyReadBefore(req, false); // an app parser in front of the router took the body: say so, not "Unexpected end of form"
        context.target = await resolveQueryTarget(req, options); // a database target is 403 whatever the size
        refuseContentEncoding(req);
        const tooLarge = declaredTooLarge(req, bodyLimit);
        if (tooLarge !== undefined && context.target !== undefined) throw tooLarge;
        context.tooLarge = tooLarge; // without ?path=, the file's name comes first: 403 for a database, else this 413
      })
      .then(
        () => {
          // A body declared too large is read only as far as the file part's headers.
          const limit = context.tooLarge === undefined ? bodyLimit : MULTIPART_OVERHEAD_BYTES;
          watchBodySize(req, limit, context, context.tooLarge ?? new SyncError('FILE_TOO_LARGE', 413, 'the request body is larger than the upload limit'));
          parse(req, res, (error?: unknown) => {
            if (context.settled && req.file !== undefined) {
              void removeTempFile(req.file.path); // stored before the early answer; the answer already went out
              return;
            }
            if (error === undefined && req.file === undefined) {
              context.finish(noFileError(req)); // a text field named file is said to be no file
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
