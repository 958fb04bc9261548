import type { IdentityFault } from './site-guard';

/** Options of a `ChangeTracker`. */
export interface ChangeTrackerOptions {
  /**
   * Changes whose clock is further ahead of this server's wall time are refused.
   * At most 100 years is used (a larger value counts as 100 years).
   * @defaultValue 300000 (5 minutes)
   */
  readonly maxClockSkewMs?: number;
  /**
   * Wall time in ms, which incoming clocks are checked against (`maxClockSkewMs`) and identity changes are
   * dated by. It does not set the clocks of local writes: the capture triggers take those from SQLite's
   * own clock (`julianday('now')`), whatever connection writes. @defaultValue `Date.now`
   */
  readonly now?: () => number;
}

/** {@link ChangeTrackerOptions} checked once (by `enableCapture`), with the defaults applied. */
export interface TrackerConfig {
  readonly maxClockSkewMs: number;
  readonly now: () => number;
}

/** This site took a new id by itself, after finding its history differs from a peer's view of it. */
export interface Reidentified extends IdentityFault {
  readonly previous: string;
  readonly current: string;
}

