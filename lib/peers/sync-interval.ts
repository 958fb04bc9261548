import { DEFAULTS } from '../defaults';
import type { SyncLogger } from '../logger';

/**
 * The interval periodic syncs run at: `intervalMs`, or, under
 * `DEFAULTS.minSyncIntervalMs` (1 s), that minimum with a warning in the log:
 * `start(30)` means 30 ms, almost surely a slip for 30 s. A value that is not
 * a positive integer is returned as it is, for the scheduler to refuse.
 */
export function usableInterval(intervalMs: number, logger: SyncLogger): number {
  const minimum = DEFAULTS.minSyncIntervalMs;
  if (!Number.isSafeInteger(intervalMs) || intervalMs <= 0 || intervalMs >= minimum) return intervalMs;
  logger.warn(
    { event: 'sync.interval_raised', intervalMs, usedMs: minimum },
    `start(${intervalMs}): the interval is in milliseconds; syncing every ${minimum} ms instead (write ${intervalMs * 1000} for ${intervalMs} s)`,
  );
  return minimum;
}
