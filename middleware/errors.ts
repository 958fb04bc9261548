import type { ErrorRequestHandler, Request, Response } from 'express';
import { SyncError } from '../lib/sync-error';
import type { SyncLogger } from '../lib/logger';
import { REFUSAL_STATUSES, type RefusalLog } from '../lib/refusal-log';
import { refusalLineWriter } from './refusal-lines';
import { jsonParseFailure } from './json-parse-failure';

/** Calls `then` once the response is sent (or the connection is gone). */
function onFinished(res: Response, then: () => void): void {
  let called = false;
  const once = (): void => {
    if (called) return;
    called = true;
    res.off('finish', once);
    res.off('close', once);
    then();
  };
  if (res.writableFinished) setImmediate(once);
  else {
    res.on('finish', once);
    res.on('close', once);
  }
}

/**
 * Calls `then` once the answer is sent and, when the connection closes after
 * it (`Connection: close`: a lingering close may still be reading the rest of
 * a refused body), once that connection has closed. Whatever runs next then
 * cannot cut the connection under the answer: Express's default handler
 * destroys the socket of an error passed on after the headers, which, with
 * request bytes still unread, resets it, and the client loses the answer.
 */
function afterAnswer(req: Request, res: Response, then: () => void): void {
  onFinished(res, () => {
    const closing = String(res.getHeader('Connection') ?? '').toLowerCase() === 'close';
    const socket = req.socket as Partial<typeof req.socket> | undefined; // an adapter's stand-in may lack one, or its events
    if (!closing || socket === undefined || socket.destroyed === true || typeof socket.once !== 'function') then();
    else socket.once('close', then);
  });
}

/** Multer's limit codes, mapped to our stable codes and HTTP statuses. */
const MULTER_CODES: Readonly<Record<string, readonly [string, number, string]>> = {
  LIMIT_FILE_SIZE: ['FILE_TOO_LARGE', 413, 'the uploaded file is larger than the upload limit'],
  LIMIT_PART_COUNT: ['TOO_MANY_PARTS', 413, 'the multipart body has too many parts'],
  LIMIT_FILE_COUNT: ['TOO_MANY_FILES', 400, 'send exactly one file per upload'],
  LIMIT_FIELD_KEY: ['FIELD_TOO_LARGE', 413, 'a multipart field name is too long'],
  LIMIT_FIELD_VALUE: ['FIELD_TOO_LARGE', 413, 'a multipart field value is too long'],
  LIMIT_FIELD_COUNT: ['TOO_MANY_FIELDS', 413, 'the multipart body has too many fields'],
  LIMIT_UNEXPECTED_FILE: ['UNEXPECTED_FILE_FIELD', 400, 'the file must be sent in the multipart field "file"'],
  LIMIT_FIELD_NESTING: ['MALFORMED_MULTIPART', 400, 'a multipart field name is nested too deeply'],
  LIMIT_FIELD_ARRAY_INDEX: ['MALFORMED_MULTIPART', 400, 'a multipart field name has an array index that is too large'],
  MISSING_FIELD_NAME: ['MALFORMED_MULTIPART', 400, 'a multipart part has no field name'],
  INVALID_FIELD_NAME: ['MALFORMED_MULTIPART', 400, 'a multipart field name is not valid'],
};

/** body-parser's error types, mapped to our stable codes. */
const BODY_PARSER_CODES: Readonly<Record<string, readonly [string, number, string]>> = {
  'entity.too.large': ['BODY_TOO_LARGE', 413, 'the request body is larger than the limit'],
  'entity.parse.failed': ['MALFORMED_JSON', 400, 'the request body is not valid JSON, or its top level is not an object or array'],
  'entity.verify.failed': ['MALFORMED_BODY', 400, 'the request body failed verification'],
  'encoding.unsupported': ['UNSUPPORTED_ENCODING', 415, 'the request body encoding is not supported'],
  'charset.unsupported': ['UNSUPPORTED_ENCODING', 415, 'the request body charset is not supported'],
  'request.aborted': ['REQUEST_ABORTED', 400, 'the client aborted the request'],
  'request.size.invalid': ['MALFORMED_BODY', 400, 'the request body size does not match Content-Length'],
  'stream.encoding.set': ['MALFORMED_BODY', 400, 'the request stream could not be read'],
  'parameters.too.many': ['MALFORMED_BODY', 400, 'the request body has too many parameters'],
};

/** Busboy's parse errors carry only a message; these prefixes mark a malformed body. */
const BUSBOY_MESSAGES = [
  'Unexpected end of form',
  'Malformed part header',
  'Malformed urlencoded form',
  'Multipart: Boundary not found',
  'Unsupported content type',
  'Missing Content-Type',
  'Unexpected end of file',
  'Request aborted',
  'Request closed',
];

function readProperty(value: unknown, key: string): unknown {
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[key] : undefined;
}

/**
 * SQLite's "database or disk is full" (`SQLITE_FULL`: the disk, or the connection's
 * `max_page_count`) as 507 `INSUFFICIENT_STORAGE`, and a database it may not write
 * (`SQLITE_READONLY…`: a read-only file, folder or disk) as 507 `STORAGE_NOT_WRITABLE`:
 * the transaction was rolled back, so nothing was written. Before, both were 500
 * "internal error", which is all a pushing peer's operator read, round after round.
 * A write(2) the file system refused (`SQLITE_IOERR_WRITE`: EFBIG at a file size limit,
 * `ulimit -f` or a file system's largest file, or a disk failing) is 507
 * `INSUFFICIENT_STORAGE` too: SQLite reports EFBIG as a "disk I/O error", not as full.
 */
function describeSqliteStorage(code: string, err: unknown): SyncError | undefined {
  if (code === 'SQLITE_FULL') {
    return new SyncError('INSUFFICIENT_STORAGE', 507, "the receiving server's database cannot grow (its disk is full, or its max_page_count is reached): nothing was written; that server's operator must free space", { cause: err });
  }
  if (code === 'SQLITE_IOERR_WRITE') {
    return new SyncError('INSUFFICIENT_STORAGE', 507, "the receiving server's database cannot grow (its file system refused a write: a file size limit such as `ulimit -f` or the file system's largest file, or a failing disk): nothing was written; that server's operator must look at its storage", { cause: err });
  }
  if (/^SQLITE_READONLY(_|$)/.test(code)) {
    return new SyncError('STORAGE_NOT_WRITABLE', 507, "the receiving server's database is read-only (a read-only file, folder or disk): nothing was written; that server's operator must make it writable and restart it", { cause: err });
  }
  return undefined;
}

/** What better-sqlite3 throws (a TypeError) for a statement run on a connection the app closed. */
const DATABASE_NOT_OPEN = 'The database connection is not open';

/**
 * Turns anything thrown or passed to `next()` into a {@link SyncError}.
 * SQLite's `SQLITE_BUSY` (another connection held the write lock past the busy timeout) is 503 `DATABASE_BUSY`;
 * a connection the app closed (better-sqlite3's TypeError "The database connection is not open") 503 `DATABASE_CLOSED`;
 * `SQLITE_FULL` and `SQLITE_IOERR_WRITE` 507 `INSUFFICIENT_STORAGE`, `SQLITE_READONLY…` 507 `STORAGE_NOT_WRITABLE`.
 * Errors that are not recognised become a 500 `INTERNAL` error whose message
 * says only "internal error"; the original is kept in `cause` for the log.
 */
export function toSyncError(err: unknown): SyncError {
  if (err instanceof SyncError) return err;
  const name = readProperty(err, 'name');
  const code = readProperty(err, 'code');
  const message = readProperty(err, 'message');
  if (name === 'MulterError' && typeof code === 'string') {
    const mapped = MULTER_CODES[code];
    if (mapped) return new SyncError(mapped[0], mapped[1], mapped[2], { cause: err });
  }
  const type = readProperty(err, 'type');
  if (type === 'entity.parse.failed') return jsonParseFailure(readProperty(err, 'body'), err); // only whitespace, `null` to a strict parser: said so
  if (typeof type === 'string') {
    const mapped = BODY_PARSER_CODES[type];
    if (mapped) return new SyncError(mapped[0], mapped[1], mapped[2], { cause: err });
  }
  // zlib's codes (gzip, deflate) start with Z_; its brotli decoder's with ERR_ (ERR__ERROR_FORMAT_PADDING_2, ERR_BROTLI_…).
  if (typeof code === 'string' && (code.startsWith('Z_') || /^ERR__ERROR_|^ERR_BROTLI/.test(code))) {
    return new SyncError('MALFORMED_BODY', 400, 'the request body could not be inflated: its bytes do not match its Content-Encoding', { cause: err });
  }
  if (typeof message === 'string' && BUSBOY_MESSAGES.some((prefix) => message.startsWith(prefix))) {
    return new SyncError('MALFORMED_MULTIPART', 400, `the multipart body is malformed: ${message}`, { cause: err });
  }
  if (name === 'TypeError' && message === DATABASE_NOT_OPEN) {
    return new SyncError('DATABASE_CLOSED', 503, "this server's database connection is closed (its app closed it, as a shutdown that closes the database before the server does): nothing was done; try again once the server runs again", { cause: err });
  }
  if (name === 'SqliteError' && typeof code === 'string' && /^SQLITE_BUSY(_|$)/.test(code)) {
    return new SyncError('DATABASE_BUSY', 503, 'the database is locked by another connection (a script, a migration, the sqlite3 shell) for longer than the busy timeout: nothing was done; try again once it commits', { cause: err });
  }
  if (name === 'SqliteError' && typeof code === 'string') {
    const storage = describeSqliteStorage(code, err);
    if (storage !== undefined) return storage;
  }
  const status = readProperty(err, 'status') ?? readProperty(err, 'statusCode');
  if (typeof status === 'number' && status >= 400 && status < 500) {
    return new SyncError('BAD_REQUEST', status, 'the request could not be understood', { cause: err });
  }
  return new SyncError('INTERNAL', 500, 'internal error', { cause: err });
}

/**
 * Writes one error as `{ "error": { "code", "message" } }`, never with a stack.
 * Does nothing when the response has already been sent.
 */
export function sendSyncError(res: Response, error: SyncError): void {
  if (res.headersSent) return;
  if (error.status === 401) res.setHeader('WWW-Authenticate', 'Bearer realm="express-sqlite-sync"');
  res.status(error.status).type('application/json');
  res.send(JSON.stringify({ error: { code: error.code, message: error.message } }));
}

/**
 * The router's only error middleware: every error becomes the JSON error
 * shape. Refusals (401, 403, 409, 413, 422) are logged at warn with the
 * caller's address (at most 10 lines a minute per
 * address and code, then one line with the count) and all kept in `refusals`; a 5xx is logged with its detail
 * (the client sees "internal error"), answered, and then passed on with
 * `next(error)` once the answer is sent (when the connection closes after it,
 * once it has closed: the rest of a refused body is drained first), so the
 * app's own error middleware sees it too (it finds `res.headersSent` true and
 * must not answer again).
 */
export function syncErrorHandler(logger: SyncLogger, refusals?: RefusalLog): ErrorRequestHandler {
  const writeRefusalLine = refusalLineWriter(logger);
  return function syncErrorMiddleware(err: unknown, req, res, next) {
    const error = toSyncError(err);
    if (error.status >= 500) {
      logger.error({ event: 'request.failed', status: error.status, code: error.code, method: req.method, path: `${req.baseUrl}${req.path}`, err: error.cause ?? error }, 'sync request failed');
    } else if (REFUSAL_STATUSES.has(error.status)) {
      refusals?.record(writeRefusalLine(req, error)); // every one kept for /status and /metrics, the log lines bounded
    }
    if (res.headersSent) {
      next(err);
      return;
    }
    sendSyncError(res, error);
    if (error.status >= 500) afterAnswer(req, res, () => next(error));
  };
}

/**
 * An error middleware that logs an app's own refusals (401, 403, 409, 413, 422: a cross-site write, a
 * body over its limit) as the sync router logs its: `request.refused` at warn with the caller's address,
 * at most 10 lines a minute per address and code, then one `request.refused.omitted` line. It answers
 * nothing: every error goes on, unchanged, to the app's own error middleware (mount it before that one).
 * Errors the sync router answered itself never reach it, so nothing is logged twice.
 * @param logger - where the lines go (pino or any `{ info, warn, error }`)
 * @throws TypeError for a `logger` without `warn`
 */
export function logRefusals(logger: SyncLogger): ErrorRequestHandler {
  if (typeof (logger as Partial<SyncLogger> | null)?.warn !== 'function') throw new TypeError('express-sqlite-sync: logRefusals needs a logger with a warn method (pino, or { info, warn, error })');
  const write = refusalLineWriter(logger);
  return function logRefusalsMiddleware(err: unknown, req, _res, next) {
    const error = toSyncError(err);
    if (REFUSAL_STATUSES.has(error.status)) write(req, error);
    next(err);
  };
}
