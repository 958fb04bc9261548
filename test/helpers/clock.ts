import type Database from 'better-sqlite3';

/** Waits until the wall clock has moved on, so the next write's clock is later than any earlier write's, on any server. */
export function nextMillisecond(): void {
  const start = Date.now();
  while (Date.now() <= start + 1) {
    // spin: a write's clock is its millisecond times 1024 (plus a counter)
  }
}

/**
 * Pins the wall clock one connection's capture triggers read to `ms()`: a write's clock is
 * `max(last + 1, wall_ms * 1024)` with `wall_ms` from SQLite's `julianday('now')` (HLC_SQL in
 * lib/data/capture-sql.ts), not from the tracker's `now` option. Servers of a test then write under the
 * milliseconds it chooses: two of them in the same one (a tie of clocks broken by site id), or one behind
 * another. Every `julianday()` call on that connection returns `ms()`: only for test schemas that do not use it.
 */
export function pinWallClock(db: Database.Database, ms: () => number): void {
  db.function('julianday', { deterministic: false, varargs: true }, () => ms() / 86_400_000 + 2_440_587.5);
}
