import { DEFAULTS } from '../defaults';
import type { SyncLogger } from '../logger';

/** What `start()` takes: a number of milliseconds (`start(30_000)`), or `start({ intervalMs: 30_000 })`. */
export type SyncInterval = number | { readonly intervalMs: number };

/**
 * The milliseconds of a {@link SyncInterval}: the number itself, or the
 * object's `intervalMs` (checked as a number is, by {@link usableInterval}).
 * @throws TypeError for an object with another key than `intervalMs` (a typo must not pass unseen)
 */
export function intervalMsOf(interval: SyncInterval): number {
  if (typeof interval !== 'object' || interval === null || !('intervalMs' in interval)) return interval as number;
  const others = Object.keys(interval).filter((key) => key !== 'intervalMs');
  if (others.length > 0) throw new TypeError(`express-sqlite-sync: start({ intervalMs }) takes only \`intervalMs\`, got ${others.map((key) => `\`${key}\``).join(', ')}`);
  return interval.intervalMs;
}

/**
 * The interval periodic syncs run at: `intervalMs`, or, under
 * `DEFAULTS.minSyncIntervalMs` (1 s), that minimum with a warning in the log:
 * `start(30)` means 30 ms, almost surely a slip for 30 s. A value that is not
 * a positive integer is returned as it is, for the scheduler to refuse.
 * @param interval - milliseconds, or `{ intervalMs }`
 * @throws TypeError for a value that is not a number (`start('30000')`, `start({ intervalMs: '30000' })`)
 */
export function usableInterval(interval: SyncInterval, logger: SyncLogger): number {
  const intervalMs = intervalMsOf(interval);
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
