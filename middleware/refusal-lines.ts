import type { Request } from 'express';
import type { SyncLogger } from '../lib/logger';
import { refusalPath, type Refusal } from '../lib/refusal-log';
import { RefusalLineLimit } from '../lib/refusal-log-limit';
import type { SyncError } from '../lib/sync-error';
import { callerAddress } from './caller-address';

/** Writes the log line of one refusal (bounded per caller and code); returns the refusal as `/status` lists it. */
export type RefusalLineWriter = (req: Request, error: SyncError) => Refusal;

/**
 * The `request.refused` lines of one router or app: at warn, at most `REFUSAL_LINES_PER_WINDOW` (10) a
 * minute per caller address and code (the 10th with `omittedUntil`), then one `request.refused.omitted`
 * line with the count once that minute is over. Never a header, so never a token.
 */
export function refusalLineWriter(logger: SyncLogger): RefusalLineWriter {
  const limit = new RefusalLineLimit();
  return (req, error) => {
    const refusal = { at: new Date().toISOString(), status: error.status, code: error.code, method: req.method, path: refusalPath(`${req.baseUrl}${req.path}`), from: callerAddress(req) };
    for (const omitted of limit.finished()) {
      logger.warn({ event: 'request.refused.omitted', ...omitted }, `${omitted.omitted} more ${omitted.code} refusals of ${omitted.from} since ${omitted.since} were left out of the log (counted in /metrics)`);
    }
    const { verdict, until } = limit.verdict(refusal.from, refusal.code);
    const fields = { event: 'request.refused', status: refusal.status, code: refusal.code, method: refusal.method, path: refusal.path, from: refusal.from };
    if (verdict === 'log') logger.warn(fields, error.message);
    if (verdict === 'log-last') logger.warn({ ...fields, omittedUntil: until }, `${error.message} (more ${refusal.code} refusals of this address are left out of the log until ${until}, then counted in one line)`);
    return refusal;
  };
}
