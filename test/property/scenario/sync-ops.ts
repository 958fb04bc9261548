import fc from 'fast-check';
import { changeCount, type AnyChangeset, type ChangeTracker } from '../../../lib/data/change-tracker';

/**
 * A partial sync between two servers, as a flaky network makes it: pages
 * applied normally, twice, dropped (the answer lost, so the cursor stays),
 * swapped (the second page applied before the first), or stale (a page read
 * now and applied later, after other writes); or pushed, as the sync client
 * pushes (pages read for the receiver past its echo windows, the push cursor
 * moved once it applied them). Pages are read in either protocol: 1 (a change
 * object per row) or 2 (the compact page).
 */
export interface SyncOp {
  readonly kind: 'sync';
  readonly from: number;
  readonly to: number;
  readonly limit: number;
  readonly pages: number;
  readonly mode: 'normal' | 'twice' | 'drop' | 'swap' | 'stale' | 'push';
  readonly protocol: 1 | 2;
}

/** An arbitrary partial sync. */
export const syncOpArbitrary: fc.Arbitrary<SyncOp> = fc.record({
  kind: fc.constant('sync' as const),
  from: fc.nat(4),
  to: fc.nat(4),
  limit: fc.oneof(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 60 })),
  pages: fc.integer({ min: 1, max: 3 }),
  mode: fc.constantFrom('normal' as const, 'normal' as const, 'twice' as const, 'drop' as const, 'swap' as const, 'stale' as const, 'push' as const, 'push' as const),
  protocol: fc.constantFrom(1 as const, 2 as const),
});

/** Pages read earlier and not applied yet, per (from, to) pair. */
export type StalePages = Map<string, AnyChangeset>;

function read(from: ChangeTracker, to: ChangeTracker, since: number, limit: number, protocol: 1 | 2): AnyChangeset {
  return protocol === 2 ? from.readCompactChanges(since, limit, to.siteId) : from.readChanges(since, limit, to.siteId);
}

/** Pushes up to `pages` pages from one server to another, as the sync client does. */
function push(from: ChangeTracker, to: ChangeTracker, op: SyncOp): void {
  for (let page = 0; page < op.pages; page += 1) {
    const since = from.pushCursor(to.siteId);
    const changes = from.readChangesToSend(since, op.limit, to.siteId, op.protocol);
    if (changeCount(changes) > 0) to.applyChangeset(changes);
    if ((changes.next ?? since) > since) from.savePushCursor(to.siteId, changes.next ?? since);
    if (changes.more !== true) return;
  }
}

/** Runs one partial sync. Applying must never throw: every page a server sends is one its peers accept. */
export function runSync(from: ChangeTracker, to: ChangeTracker, op: SyncOp, stale: StalePages): void {
  if (op.mode === 'push') return push(from, to, op);
  const pair = `${from.siteId}>${to.siteId}`;
  for (let page = 0; page < op.pages; page += 1) {
    const first = read(from, to, to.pullCursor(from.siteId), op.limit, op.protocol);
    if (op.mode === 'drop') return;
    if (op.mode === 'stale') {
      const old = stale.get(pair);
      stale.set(pair, first);
      if (old !== undefined) to.applyChangeset(old);
      return;
    }
    if (op.mode === 'swap' && first.more === true) {
      const second = read(from, to, first.next ?? 0, op.limit, op.protocol);
      to.applyChangeset(second);
      to.applyChangeset(first);
      if (second.more !== true) return;
      continue;
    }
    to.applyChangeset(first);
    if (op.mode === 'twice') to.applyChangeset(first);
    if (first.more !== true) return;
  }
}

/**
 * Syncs every pair, both ways, round after round, until a round in which no
 * server has anything to send: quiescence. Returns the rounds taken, or
 * undefined when it was not reached in `maxRounds`.
 */
export function syncToQuiescence(trackers: readonly ChangeTracker[], maxRounds = 12): number | undefined {
  for (let round = 1; round <= maxRounds; round += 1) {
    let moved = 0;
    for (const to of trackers) {
      for (const from of trackers) {
        if (from === to) continue;
        for (;;) {
          const page = read(from, to, to.pullCursor(from.siteId), 500, round % 2 === 0 ? 2 : 1);
          moved += changeCount(page);
          to.applyChangeset(page);
          if (page.more !== true) break;
        }
      }
    }
    if (moved === 0) return round;
  }
  return undefined;
}
