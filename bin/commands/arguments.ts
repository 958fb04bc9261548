import { InvalidArgumentError } from 'commander';

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
