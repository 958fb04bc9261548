import { checkObjectChangeset, readProtocol, type CheckedChangeset, type DecodeContext } from './changeset';
import { checkCompactChangeset } from './compact-changeset';
import { COMPACT_PROTOCOL } from './compact-schema';
import { SyncError } from '../sync-error';
import { stopCopyFix } from './new-site-id-fix';

/**
 * The largest clock skew taken, whatever `maxClockSkewMs` says (100 years; a larger
 * one, `Number.MAX_SAFE_INTEGER` to mean "no limit", is this): a clock much further
 * ahead would leave no room below 2^53 for the clocks raised past it (each local
 * write takes the last clock + 1), and pages holding those are refused by every peer.
 */
export const MAX_CLOCK_SKEW_MS = 100 * 365.25 * 24 * 3600 * 1000;

/**
 * A clock skew written as text (an environment variable, a CLI flag): whole milliseconds, 0 to
 * {@link MAX_CLOCK_SKEW_MS} (100 years); undefined for anything else (`-1`, `1.5`, `2h`, `" 5"`).
 */
export function clockSkewMsFromText(text: string): number | undefined {
  const skew = /^\d{1,15}$/.test(text) ? Number(text) : Number.NaN;
  return Number.isSafeInteger(skew) && skew <= MAX_CLOCK_SKEW_MS ? skew : undefined;
}

/**
 * Checks a changeset of either protocol — 1 (a change object per row) or 2
 * (the compact page) — against its JSON Schema, the tracked schema and its
 * window (`next` not below `since`); its changes are decoded and checked one
 * by one as they are merged.
 * @throws SyncError 400 `INVALID_CHANGESET`, `UNSUPPORTED_PROTOCOL`; 409 `SCHEMA_MISMATCH`
 */
export function checkChangeset(raw: unknown, given: DecodeContext): CheckedChangeset {
  const context = { ...given, maxClockSkewMs: Math.min(given.maxClockSkewMs, MAX_CLOCK_SKEW_MS) };
  const limit = (context.nowMs + context.maxClockSkewMs) * 1024 + 1023;
  const checked = readProtocol(raw) === COMPACT_PROTOCOL ? checkCompactChangeset(raw, context, limit) : checkObjectChangeset(raw, context, limit);
  const { since, next } = checked.envelope;
  // A sender's window never ends before it starts (a page read past its seq has next = since): such a page
  // was made by hand, and its `next` was kept as what the receiver knows of the sender's history.
  if (since !== undefined && next !== undefined && next < since) {
    throw new SyncError('INVALID_CHANGESET', 400, `the page's window ends before it starts (since ${since}, next ${next}): next is never below since`);
  }
  return checked;
}

/**
 * Refuses a page whose envelope `site` is the receiver's own: no other server
 * has that id, so a copy of this database (a clone that kept the id) or a
 * loop (this server's own page sent back to it) sent it. Applying it would
 * save a pull cursor for our own id and mix two histories under one id.
 * @param file - this database's file, named in the fix (undefined: none)
 * @returns the page, when it comes from another site
 * @throws SyncError `SAME_SITE_ID` (409); nothing is written
 */
export function refuseOwnSite(checked: CheckedChangeset, localSite: string, file: string | undefined): CheckedChangeset {
  if (checked.envelope.site !== localSite) return checked;
  throw new SyncError(
    'SAME_SITE_ID',
    409,
    `this page comes from site ${localSite}, this server's own site id: a copy of this database (one database was copied from the other) or this server itself sent it; nothing of it was applied. Give a copy a new identity: ${stopCopyFix(file)}; a server listing itself as a peer: remove it from its peers`,
  );
}
