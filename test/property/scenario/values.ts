import fc from 'fast-check';

/** TEXT whose bytes are not valid UTF-8 (as `'x' || char(55357)` writes it), bound through `CAST(? AS TEXT)`. */
export interface RawText {
  readonly rawText: Buffer;
}

/** A value a scenario writes: the five storage classes, plus TEXT that is not valid UTF-8. */
export type ScenarioValue = null | bigint | number | string | Buffer | RawText;

const INT64_MAX = 2n ** 63n - 1n;
const INT64_MIN = -(2n ** 63n);

/** Integers, with the edges of 64 bits and of JavaScript's safe range. */
export const intValue: fc.Arbitrary<bigint> = fc.oneof(
  fc.constantFrom(0n, 1n, -1n, INT64_MAX, INT64_MIN, 2n ** 53n + 1n, -(2n ** 53n) - 1n),
  fc.bigInt({ min: -5n, max: 5n }),
  fc.bigInt({ min: INT64_MIN, max: INT64_MAX }),
);

/** REALs: negative zero, whole numbers (which must stay REAL), fractions, extremes, the two infinities. */
export const realValue: fc.Arbitrary<number> = fc.oneof(
  fc.constantFrom(-0, 0, 1, -3, 2.5, 1e300, -1e-300, 0.1, Infinity, -Infinity),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
);

/** Short texts from a small alphabet (so values repeat and clash), some beyond ASCII. */
export const textValue: fc.Arbitrary<string> = fc.oneof(fc.constantFrom('', 'a', 'b', "it's", 'é', '🤖'), fc.string({ maxLength: 4 }));

/** TEXT that is not valid UTF-8: a lone surrogate as `char(55357)` encodes it, or a stray byte. */
export const rawTextValue: fc.Arbitrary<RawText> = fc.constantFrom(
  { rawText: Buffer.from([0x78, 0xed, 0xa0, 0xbd]) },
  { rawText: Buffer.from([0xff, 0x61]) },
  { rawText: Buffer.from([0x61, 0xc3]) },
);

/** Small blobs, the empty one included. */
export const blobValue: fc.Arbitrary<Buffer> = fc.oneof(fc.constantFrom(Buffer.alloc(0), Buffer.from([0]), Buffer.from([1, 2])), fc.uint8Array({ maxLength: 4 }).map((bytes) => Buffer.from(bytes)));

/** Any value of any storage class. */
export const anyValue: fc.Arbitrary<ScenarioValue> = fc.oneof(fc.constant(null), intValue, realValue, textValue, rawTextValue, blobValue);

/** The SQL placeholder for a value and the parameter to bind. */
export function bindValue(value: ScenarioValue): readonly [string, null | bigint | number | string | Buffer] {
  if (value !== null && typeof value === 'object' && !Buffer.isBuffer(value)) return ['CAST(? AS TEXT)', value.rawText];
  return ['?', value];
}
