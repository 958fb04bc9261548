import { InvalidArgumentError } from 'commander';

/**
 * Parses a `--timeout <ms>` value: a positive whole number of milliseconds.
 * @throws InvalidArgumentError (commander prints it with the option's name) for anything else
 */
export function parseMilliseconds(value: string): number {
  const ms = Number(value);
  if (!/^[0-9]+$/.test(value.trim()) || !Number.isSafeInteger(ms) || ms <= 0) {
    throw new InvalidArgumentError(`expected a positive whole number of milliseconds, got ${JSON.stringify(value)}`);
  }
  return ms;
}
