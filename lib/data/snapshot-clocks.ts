import Database from 'better-sqlite3';
import { MAX_CLOCK_SKEW_MS } from './check-changeset';
import { SyncError } from '../sync-error';

/** The newest clock a snapshot file holds: of its rows, cells and logged writes (its sentinel keeps the last one). */
const NEWEST_CLOCK_SQL = `SELECT max(coalesce((SELECT max(hlc) FROM _sync_log), 0), coalesce((SELECT max(hlc) FROM _sync_rows), 0), coalesce((SELECT max(hlc) FROM _sync_cells), 0))`;

/** This server's wall time and how far ahead of it a clock may be. */
export interface SnapshotClockLimit {
  readonly nowMs: number;
  readonly maxClockSkewMs: number;
}

/**
 * Refuses a snapshot holding a clock further ahead of this server's wall time
 * than `maxClockSkewMs`, as a page holding it is refused: a server started
 * from it would carry the sender's clock on (its next writes stamped past it),
 * win every conflict until real time caught up, and its correct peers would
 * refuse its pages as `CLOCK_SKEW`. Call it on a checked snapshot file.
 * @param clocks - this server's wall time and bound (`maxClockSkewMs`, capped at a century, as for pages)
 * @throws SyncError `CLOCK_SKEW` (422) naming how far ahead the clock is
 */
export function refuseFutureSnapshotClocks(file: string, clocks: SnapshotClockLimit): void {
  const { nowMs, maxClockSkewMs } = clocks;
  const db = new Database(file, { readonly: true, fileMustExist: true });
  let newest: number;
  try {
    newest = db.prepare(NEWEST_CLOCK_SQL).pluck().get() as number;
  } finally {
    db.close();
  }
  const skewMs = Math.min(maxClockSkewMs, MAX_CLOCK_SKEW_MS);
  if (newest <= (nowMs + skewMs) * 1024 + 1023) return;
  const aheadS = Math.round((Math.floor(newest / 1024) - nowMs) / 1000);
  throw new SyncError(
    'CLOCK_SKEW',
    422,
    `the snapshot carries a clock ${aheadS} s ahead of this server's (limit ${Math.round(skewMs / 1000)} s): its server's clock is ahead (or was when it wrote those changes), or this server's is behind: fix a clock that is wrong now (NTP); stamps already stored are accepted once real time reaches them. Nothing of the snapshot was kept; a running server pulls page by page instead`,
  );
}
