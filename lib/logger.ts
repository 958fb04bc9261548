import pino from 'pino';

/**
 * The logging interface express-sqlite-sync needs: a subset of pino's, so a
 * pino logger (or anything shaped like it) can be passed in.
 */
export interface SyncLogger {
  /** Logs progress worth seeing in normal operation. */
  info(detail: object, message: string): void;
  /** Logs something odd that did not stop the work. */
  warn(detail: object, message: string): void;
  /** Logs a failure, with its detail kept server-side. */
  error(detail: object, message: string): void;
}

/** A logger that drops everything: for tests and for callers that log elsewhere. */
export const silentLogger: SyncLogger = {
  info() {},
  warn() {},
  error() {},
};

/** The levels `LOG_LEVEL` takes (pino's). */
export const LOG_LEVELS: readonly string[] = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'];

/**
 * Reads `LOG_LEVEL`: one of {@link LOG_LEVELS}, any case; `info` when unset or empty.
 * @throws RangeError naming `LOG_LEVEL` for any other value
 */
export function readLogLevel(value: string | undefined): string {
  if (value === undefined || value === '') return 'info';
  const level = value.toLowerCase();
  if (!LOG_LEVELS.includes(level)) throw new RangeError(`express-sqlite-sync: LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}, got ${JSON.stringify(value)}`);
  return level;
}

/**
 * The default logger: pino writing JSON lines to stdout, level from `LOG_LEVEL`
 * (default `info`); it stops writing, instead of blocking the exit, once the
 * reader of stdout went away.
 * @param name - pino's `name` on every line
 * @throws RangeError for a bad `LOG_LEVEL`
 */
export function createDefaultLogger(name = 'express-sqlite-sync'): SyncLogger {
  const level = readLogLevel(process.env.LOG_LEVEL);
  return pino({ name, level }, stdoutDestination());
}

/**
 * Standard output for pino, written synchronously, that stops writing once
 * the reader went away (`npm start | head`, a log collector restarted):
 * without it the last flush at `process.exit` retried the broken pipe
 * for ever, and the process never exited.
 */
function stdoutDestination(): ReturnType<typeof pino.destination> {
  const destination = pino.destination({ dest: 1, sync: true });
  destination.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') return;
    destination.write = () => true;
    destination.flushSync = () => undefined;
    destination.end = () => undefined;
  });
  return destination;
}

/**
 * Checks the `logger` option: undefined gives {@link createDefaultLogger}.
 * @throws TypeError when it is not an object with `info`, `warn` and `error` functions
 */
export function resolveLogger(logger: unknown): SyncLogger {
  if (logger === undefined) return createDefaultLogger();
  const shaped = typeof logger === 'object' && logger !== null && ['info', 'warn', 'error'].every((level) => typeof (logger as Record<string, unknown>)[level] === 'function');
  if (!shaped) throw new TypeError('express-sqlite-sync: `logger` must have info, warn and error functions (a pino logger fits)');
  return logger as SyncLogger;
}
