import type { RequestHandler } from 'express';
import type { ChangeTracker, SyncLogger } from '../index';

/**
 * Folds the capture log once a write of the app's own has been answered (a
 * method other than GET and HEAD, answered below 400), so what it settles
 * shows at once: a report deleted or edited frees its UNIQUE value and the
 * report parked for that value comes back; a team entered again brings back
 * the reports parked for its absence. Otherwise that waits for the next fold
 * — a round that reaches a peer, or a read of `/status` or the conflicts —
 * which on a laptop cut off from the others may be long, while a scout who
 * sees no report types it again and gets a surprise conflict later. A fold
 * that fails (the database busy) is logged; the next one catches up.
 */
export function foldAfterWrites(tracker: ChangeTracker | undefined, logger: SyncLogger): RequestHandler {
  return (req, res, next) => {
    if (tracker !== undefined && req.method !== 'GET' && req.method !== 'HEAD') {
      res.once('finish', () => {
        if (res.statusCode >= 400) return;
        try {
          tracker.fold();
        } catch (error) {
          logger.warn({ event: 'app.fold_failed', code: (error as { code?: unknown }).code }, `folding after a write failed (the next fold catches up): ${error instanceof Error ? error.message : String(error)}`);
        }
      });
    }
    next();
  };
}
