import { InvalidArgumentError } from 'commander';
import { SyncError } from '../../lib/sync-error';
import { clockSkewMsFromText, MAX_CLOCK_SKEW_MS } from '../../lib/data/check-changeset';

/** The longest delay Node's timers take (2^31 − 1 ms); a longer one fires at once, with a warning. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * Parses a `--timeout <ms>` value: a positive whole number of milliseconds.
 * @throws InvalidArgumentError (commander prints it with the option's name) for anything else
 */
export function parseMilliseconds(value: string): number {
  const ms = Number(value);
  if (!/^[0-9]+$/.test(value.trim()) || !Number.isSafeInteger(ms) || ms <= 0 || ms > MAX_TIMER_MS) {
    throw new InvalidArgumentError(`expected a positive whole number of milliseconds up to ${MAX_TIMER_MS} (about 24 days), got ${JSON.stringify(value)}`);
  }
  return ms;
}

/** A clock skew in ms, as `SYNC_MAX_CLOCK_SKEW_MS` takes it (0 to 100 years, blanks around it ignored), or undefined when it is not one. */
function skewOf(value: string): number | undefined {
  return clockSkewMsFromText(value.trim());
}

/**
 * Parses `--max-clock-skew-ms <ms>`: a whole number of milliseconds, 0 to 100 years.
 * @throws InvalidArgumentError for anything else
 */
export function parseSkewMilliseconds(value: string): number {
  const skew = skewOf(value);
  if (skew === undefined) throw new InvalidArgumentError(`expected a whole number of milliseconds from 0 to ${MAX_CLOCK_SKEW_MS} (100 years), got ${JSON.stringify(value)} (3600000 is an hour)`);
  return skew;
}

/**
 * `$SYNC_MAX_CLOCK_SKEW_MS`, the sample app's setting, when set: `join` then checks clocks as the new server will.
 * @throws SyncError `BAD_USAGE` (400) for a value that is not a whole number of milliseconds up to 100 years
 */
export function skewFromEnvironment(): number | undefined {
  const value = process.env.SYNC_MAX_CLOCK_SKEW_MS;
  if (value === undefined || value.trim() === '') return undefined;
  const skew = skewOf(value);
  if (skew === undefined) throw new SyncError('BAD_USAGE', 400, `SYNC_MAX_CLOCK_SKEW_MS is in milliseconds: a whole number from 0 to ${MAX_CLOCK_SKEW_MS} (100 years), got ${JSON.stringify(value)}`);
  return skew;
}

/**
 * A parser for an option that takes one value: given twice with two values
 * (`--db a.db … --db b.db`, a line edited in haste), which one counts is a
 * guess, so neither does. The same value twice is accepted.
 * @param flag - the option, as the message names it
 * @param secret - the values are not repeated in the message: a token, or a URL (whose query may hold one)
 * @returns commander's argument parser, throwing SyncError `BAD_USAGE` (400) for a second, different value
 */
export function givenOnce(flag: string, secret = false): (value: string, previous: string | undefined) => string {
  return function parseOnce(value, previous) {
    if (previous !== undefined && previous !== value) {
      const values = secret ? '' : ` (${JSON.stringify(previous)}, then ${JSON.stringify(value)})`;
      throw new SyncError('BAD_USAGE', 400, `${flag} is given twice${values}: give it once`);
    }
    return value;
  };
}
