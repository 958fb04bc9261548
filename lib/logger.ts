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

/**
 * The default logger: pino writing JSON lines to stdout, level from `LOG_LEVEL`
 * (default `info`).
 */
export function createDefaultLogger(): SyncLogger {
  return pino({ name: 'express-sqlite-sync', level: process.env.LOG_LEVEL ?? 'info' });
}
