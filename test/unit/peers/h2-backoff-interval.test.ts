import { nextDelayMs } from '../../../lib/peers/scheduler';
import { DEFAULTS } from '../../../lib/defaults';

const HOUR = 3_600_000;

/**
 * Backoff against the interval (SYNC_INTERVAL_MS): a failing peer is retried sooner than the next periodic
 * round at first (1 s, 2 s, 4 s…: flaky Wi-Fi heals fast), and the delays grow up to `maxMs` (60 s) or up to
 * the interval when it is longer. Before, they stopped at 60 s whatever the interval: with rounds an hour
 * apart, a peer down all day was tried every 30–60 s, sixty times as often as a healthy one.
 */
describe('nextDelayMs: backoff and a long interval', () => {
  it.each([
    [1, 1, 1000],
    [2, 1, 2000],
    [7, 1, 64_000], // past maxMs: an hour's interval lets it grow on
    [12, 1, 2_048_000],
    [13, 1, HOUR], // capped at the interval
    [50, 1, HOUR],
    [50, 0, HOUR / 2], // equal jitter: half fixed, half random
  ])('after %i failures with random %f, an hour between rounds: %i ms', (failures, random, expected) => {
    expect(nextDelayMs(failures, HOUR, DEFAULTS.backoff, () => random)).toBe(expected);
  });

  it('a failing peer is never tried more than twice per interval once its backoff has grown, for any interval', () => {
    for (const interval of [1000, 30_000, 60_000, 600_000, HOUR, 2_147_483_647]) {
      const slowest = nextDelayMs(40, interval, DEFAULTS.backoff, () => 0);
      expect(slowest).toBeGreaterThanOrEqual(interval / 2);
    }
  });

  it('with the interval at most maxMs, the backoff is as before: capped at maxMs (60 s)', () => {
    expect(nextDelayMs(50, 30_000, DEFAULTS.backoff, () => 1)).toBe(60_000);
    expect(nextDelayMs(50, 60_000, DEFAULTS.backoff, () => 1)).toBe(60_000);
    expect(nextDelayMs(1, HOUR, DEFAULTS.backoff, () => 0)).toBe(500); // the first retry is still soon
  });
});
