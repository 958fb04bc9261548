import { DEFAULTS } from '../defaults';
import type { SyncLogger } from '../logger';

/**
 * The interval periodic syncs run at: `intervalMs`, or, under
 * `DEFAULTS.minSyncIntervalMs` (1 s), that minimum with a warning in the log:
 * `start(30)` means 30 ms, almost surely a slip for 30 s. A value that is not
 * a positive integer is returned as it is, for the scheduler to refuse.
 * @throws TypeError for a value that is not a number (`start('30000')`)
 */
export function usableInterval(intervalMs: number, logger: SyncLogger): number {
  if (typeof intervalMs !== 'number') {
    throw new TypeError(`express-sqlite-sync: start(intervalMs) takes a number of milliseconds, got a ${typeof intervalMs} (${String(JSON.stringify(intervalMs)).slice(0, 40)})`);
  }
  const minimum = DEFAULTS.minSyncIntervalMs;
  if (!Number.isSafeInteger(intervalMs) || intervalMs <= 0 || intervalMs >= minimum) return intervalMs;
  logger.warn(
    { event: 'sync.interval_raised', intervalMs, usedMs: minimum },
    `start(${intervalMs}): the interval is in milliseconds; syncing every ${minimum} ms instead (write ${intervalMs * 1000} for ${intervalMs} s)`,
  );
  return minimum;
}
