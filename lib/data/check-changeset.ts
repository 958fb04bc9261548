import { checkObjectChangeset, readProtocol, type CheckedChangeset, type DecodeContext } from './changeset';
import { checkCompactChangeset } from './compact-changeset';
import { COMPACT_PROTOCOL } from './compact-schema';

/**
 * Checks a changeset of either protocol — 1 (a change object per row) or 2
 * (the compact page) — against its JSON Schema and the tracked schema; its
 * changes are decoded and checked one by one as they are merged.
 * @throws SyncError 400 `INVALID_CHANGESET`, `UNSUPPORTED_PROTOCOL`; 409 `SCHEMA_MISMATCH`
 */
export function checkChangeset(raw: unknown, context: DecodeContext): CheckedChangeset {
  const limit = (context.nowMs + context.maxClockSkewMs) * 1024 + 1023;
  return readProtocol(raw) === COMPACT_PROTOCOL ? checkCompactChangeset(raw, context, limit) : checkObjectChangeset(raw, context, limit);
}
