/**
 * The checks every factory uses on its options, each naming the option, the
 * value and the fix. Each option is checked once, by the part that owns it.
 */

function prefix(option: string): string {
  return `express-sqlite-sync: \`${option}\``;
}

/**
 * A positive safe integer, or `fallback` when `undefined`.
 * @throws TypeError for a non-number; RangeError for a non-integer or a value below 1
 */
export function positiveInteger(value: unknown, option: string, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number') throw new TypeError(`${prefix(option)} must be a number, got ${typeof value}`);
  if (!Number.isSafeInteger(value) || value <= 0) throw new RangeError(`${prefix(option)} must be a positive integer, got ${value}`);
  return value;
}

/**
 * A non-negative safe integer, or `fallback` when `undefined`.
 * @throws TypeError for a non-number; RangeError for a non-integer or a negative value
 */
export function nonNegativeInteger(value: unknown, option: string, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number') throw new TypeError(`${prefix(option)} must be a number, got ${typeof value}`);
  if (!Number.isSafeInteger(value) || value < 0) throw new RangeError(`${prefix(option)} must be a non-negative integer, got ${value}`);
  return value;
}

/**
 * A boolean, or `fallback` when `undefined`.
 * @throws TypeError for anything else
 */
export function booleanOption(value: unknown, option: string, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean') throw new TypeError(`${prefix(option)} must be a boolean, got ${typeof value}`);
  return value;
}

/**
 * Refuses keys that are not options: a typo must not switch a check off.
 * @throws TypeError naming the unknown keys and the known ones
 */
export function refuseUnknownOptions(options: object, known: ReadonlySet<string>, factory: string): void {
  const unknown = Object.keys(options).filter((key) => !known.has(key));
  if (unknown.length > 0) {
    throw new TypeError(`express-sqlite-sync: unknown option(s) ${unknown.join(', ')} for ${factory}; known options: ${[...known].join(', ')}`);
  }
}

/**
 * Checks that `options` is an options object (not null, not an array) holding
 * only `known` keys.
 * @throws TypeError naming the function for anything else, and naming the unknown keys
 */
export function knownOptions(options: unknown, known: ReadonlySet<string>, factory: string): void {
  if (typeof options !== 'object' || options === null || Array.isArray(options)) throw new TypeError(`express-sqlite-sync: ${factory} needs an options object`);
  refuseUnknownOptions(options, known, factory);
}

/**
 * An option that is a list of non-empty strings.
 * @throws TypeError naming the option otherwise
 */
export function stringList(value: unknown, option: string): readonly string[] {
  if (!Array.isArray(value) || value.some((item) => typeof item !== 'string' || item === '')) {
    throw new TypeError(`express-sqlite-sync: \`${option}\` must be an array of non-empty strings`);
  }
  return value as string[];
}
