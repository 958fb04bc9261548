import { resolveSyncClientOptions } from '../../../lib/peers/client-options';
import { MAX_SYNC_INTERVAL_MS } from '../../../lib/peers/scheduler';
import { filesClientOptions } from '../../helpers/client-fixture';

describe('SyncClient: `backoff` is checked whole, in the constructor', () => {
  const options = filesClientOptions();

  it.each<[string, unknown, ErrorConstructor, RegExp]>([
    ['a cap below the base (a failing peer retried at once, over and over)', { baseMs: 5000, maxMs: 10 }, RangeError, /`backoff.maxMs` \(10\) is below `backoff.baseMs` \(5000\)/],
    ['a base just above its cap', { baseMs: 60001, maxMs: 60000 }, RangeError, /below/],
    ['a misspelt key', { baseMs: 1000, maxMS: 5000 }, TypeError, /unknown option\(s\) maxMS for `backoff`/],
    ['a string', { baseMs: '1000' }, TypeError, /`backoff.baseMs` must be a number, got string/],
    ['a fraction', { maxMs: 1.5 }, RangeError, /backoff.maxMs/],
    ['a cap beyond the longest timer', { maxMs: MAX_SYNC_INTERVAL_MS + 1 }, RangeError, /at most 2147483647/],
    ['an array', [1000, 5000], TypeError, /`backoff` must be \{ baseMs, maxMs \}/],
  ])('refuses a backoff with %s', (_label, backoff, type, message) => {
    expect(() => resolveSyncClientOptions(options({ backoff }))).toThrow(type);
    expect(() => resolveSyncClientOptions(options({ backoff }))).toThrow(message);
  });

  it('keeps a whole backoff, and fills in a missing half so that the cap is never below the base', () => {
    expect(resolveSyncClientOptions(options({ backoff: { baseMs: 5, maxMs: 5 } })).backoff).toEqual({ baseMs: 5, maxMs: 5 });
    expect(resolveSyncClientOptions(options({ backoff: { baseMs: 120_000 } })).backoff).toEqual({ baseMs: 120_000, maxMs: 120_000 });
    expect(resolveSyncClientOptions(options({ backoff: { maxMs: 5000 } })).backoff).toEqual({ baseMs: 1000, maxMs: 5000 });
  });
});
