import { Writable } from 'node:stream';
import pino from 'pino';
import type { SyncLogger } from '../../lib/logger';

/** One line of a pino log, parsed. */
export type LogLine = Record<string, unknown> & { readonly level: number; readonly msg: string };

/** A real pino logger whose JSON lines are kept in memory, as a log file would hold them. */
export interface CapturedLog {
  readonly logger: SyncLogger;
  /** Every line so far, parsed. */
  lines(): LogLine[];
  /** Every line so far, as written. */
  text(): string;
  /** The lines of one event. */
  events(event: string): LogLine[];
}

/** pino's numeric levels. */
export const LEVEL = { info: 30, warn: 40, error: 50 } as const;

/** Starts a pino logger at `level` writing into memory. */
export function captureLog(level = 'info', base: Record<string, unknown> = {}): CapturedLog {
  const written: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      written.push(chunk.toString('utf8'));
      callback();
    },
  });
  const logger = pino({ level, base }, sink);
  const lines = (): LogLine[] =>
    written
      .join('')
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => JSON.parse(line) as LogLine);
  return { logger, lines, text: () => written.join(''), events: (event) => lines().filter((line) => line.event === event) };
}
