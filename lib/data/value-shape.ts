import { TypeCompiler } from '@sinclair/typebox/compiler';
import { ClockedCellSchema, WireValueSchema } from './wire-schema';
import type { WireValue } from './values';

const valueCheck = TypeCompiler.Compile(WireValueSchema);
const clockedCheck = TypeCompiler.Compile(ClockedCellSchema);

/**
 * True for a wire value ({@link WireValueSchema}): null, a string, a finite
 * number, or a tagged value checked by the compiled schema. The plain kinds,
 * nearly every cell of a page, are told without calling the schema.
 */
export function isWireValue(value: unknown): value is WireValue {
  if (value === null || typeof value === 'string') return true;
  if (typeof value === 'number') return Number.isFinite(value);
  return valueCheck.Check(value);
}

/** True for `[value, hlc, site index]` ({@link ClockedCellSchema}). */
export function isClockedCell(value: readonly unknown[]): value is [WireValue, number, number] {
  return clockedCheck.Check(value);
}

/** True for an integer from `min` to 2^53 - 1 (a seq, a clock, an index). */
export function isCounter(value: unknown, min: number): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= min;
}
