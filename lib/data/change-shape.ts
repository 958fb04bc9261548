import { SyncError } from '../sync-error';
import { isCounter } from './value-shape';
import { MAX_CL, type WireChange } from './wire-schema';

/**
 * Refuses change `index` of a protocol 1 page as `INVALID_CHANGESET`.
 * @throws SyncError `INVALID_CHANGESET` (400), always
 */
export function invalidChange(index: number, detail: string): never {
  throw new SyncError('INVALID_CHANGESET', 400, `change #${index}: ${detail}`);
}

/** The properties a change may have (`WireChangeSchema`). */
const CHANGE_PROPERTIES = new Set(['table', 'key', 'cl', 'hlc', 'site', 'cells']);

/**
 * Checks one change's shape by the rules of `WireChangeSchema`, but its
 * values: those are checked as they are decoded (`decodeAt`, changeset.ts).
 * @throws SyncError `INVALID_CHANGESET` (400)
 */
export function changeShape(raw: unknown, index: number): WireChange {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) invalidChange(index, 'a change must be an object');
  for (const name in raw) if (!CHANGE_PROPERTIES.has(name)) invalidChange(index, `${JSON.stringify(name)} is not a property of a change`);
  const { table, key, cl, hlc, site, cells } = raw as Partial<Record<keyof WireChange, unknown>>;
  if (typeof table !== 'string' || table.length < 1 || table.length > 1024) invalidChange(index, '"table" must be a name of 1 to 1024 characters');
  if (!Array.isArray(key) || key.length < 1 || key.length > 64) invalidChange(index, '"key" must be an array of 1 to 64 values');
  if (!isCounter(cl, 1) || cl > MAX_CL) invalidChange(index, `"cl" must be an integer from 1 to ${MAX_CL}`);
  if (!isCounter(hlc, 0) || !isCounter(site, 0)) invalidChange(index, '"hlc" and "site" must be integers from 0 to 2^53 - 1');
  if (cells !== undefined && (typeof cells !== 'object' || cells === null || Array.isArray(cells))) invalidChange(index, '"cells" must be an object of column name to cell');
  return raw as WireChange;
}
