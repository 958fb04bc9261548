import { normalizePeerUrl } from './client-options';
import type { HeldDeletion } from './sync-status';

/** What one root's file sync plans to delete, on each side, and how many files each side has. */
export interface DeletionPlan {
  /** Paths (root-relative) this server would delete. */
  readonly here: readonly string[];
  /** Paths (root-relative) the peer would lose. */
  readonly there: readonly string[];
  /** Files of the root on this server. */
  readonly localFiles: number;
  /** Files of the root on the peer. */
  readonly remoteFiles: number;
}

/** Which held deletions an operator confirms: all of them, a peer's, or one root's. */
export interface DeletionFilter {
  readonly peer?: string;
  readonly root?: string;
}

/** The keys a {@link DeletionFilter} takes: any other is a typo that must not widen the confirmation to everything. */
const FILTER_KEYS: ReadonlySet<string> = new Set(['peer', 'root'] satisfies (keyof DeletionFilter)[]);

/**
 * Checks a confirmation's filter, as `POST /deletions/confirm` does: an object
 * with only `peer` and `root`, each a non-empty string when given; the peer URL
 * read as the client reads `peers` (`http://host:port` means its `/api/sync`).
 * A mistyped key (`{ pear }`) must never confirm every held deletion.
 * @throws TypeError naming the unknown key or the wrong value
 */
export function checkDeletionFilter(filter: unknown): DeletionFilter {
  if (typeof filter !== 'object' || filter === null || Array.isArray(filter)) {
    throw new TypeError('express-sqlite-sync: confirmDeletions takes { peer?, root? } (leave both out, or pass nothing, to confirm every held deletion)');
  }
  const unknown = Object.keys(filter).filter((key) => !FILTER_KEYS.has(key));
  if (unknown.length > 0) {
    throw new TypeError(`express-sqlite-sync: confirmDeletions: unknown filter key(s) ${unknown.map((key) => JSON.stringify(key)).join(', ')}; the filter takes only \`peer\` and \`root\``);
  }
  const { peer, root } = filter as Record<string, unknown>;
  for (const [name, value] of [['peer', peer], ['root', root]] as const) {
    if (value !== undefined && (typeof value !== 'string' || value === '')) {
      throw new TypeError(`express-sqlite-sync: confirmDeletions: \`${name}\` must be a non-empty string (leave it out to confirm for every ${name}), got ${value === '' ? 'an empty string' : typeof value}`);
    }
  }
  return { peer: peer === undefined ? undefined : normalizePeerUrl(peer as string, 'confirmDeletions `peer`'), root: root as string | undefined };
}

function keyOf(peer: string, root: string, side: HeldDeletion['side']): string {
  return JSON.stringify([peer, root, side]);
}

/**
 * The mass-delete guard (as rclone bisync's `--max-delete`): a root's file
 * sync that would delete more than `maxDeletePercent` of the files on either
 * side is held back, every file kept, until an operator confirms; the
 * confirmation allows that many deletions once. 100 turns the guard off.
 */
export class DeleteGuard {
  readonly #maxDeletePercent: number;
  readonly #held = new Map<string, HeldDeletion>();
  /** Deletions an operator confirmed, by key: the largest count allowed, once. */
  readonly #allowed = new Map<string, number>();

  /** @param maxDeletePercent - 0–100; a sync may delete at most this share of a side's files */
  constructor(maxDeletePercent: number) {
    this.#maxDeletePercent = maxDeletePercent;
  }

  /**
   * Decides whether a root's sync may go ahead. Returns the deletions held
   * back (empty: go ahead). A confirmed allowance that covers the plan is
   * used up; a plan under the limit clears what was held for that root.
   */
  check(peer: string, root: string, plan: DeletionPlan): HeldDeletion[] {
    const sides = [
      ['here', plan.here, plan.localFiles],
      ['there', plan.there, plan.remoteFiles],
    ] as const;
    const held: HeldDeletion[] = [];
    for (const [side, paths, files] of sides) {
      const key = keyOf(peer, root, side);
      const over = paths.length > 0 && paths.length * 100 > this.#maxDeletePercent * files;
      const allowed = this.#allowed.get(key);
      if (!over || (allowed !== undefined && paths.length <= allowed)) {
        this.#held.delete(key);
        if (over) this.#allowed.delete(key);
        continue;
      }
      const entry: HeldDeletion = {
        peer,
        root,
        side,
        count: paths.length,
        files,
        percent: Math.round((paths.length * 100) / Math.max(files, 1)),
        maxDeletePercent: this.#maxDeletePercent,
        examples: paths.slice(0, 10).map((relative) => `${root}/${relative}`),
        heldAt: new Date().toISOString(),
      };
      this.#held.set(key, entry);
      held.push(entry);
    }
    return held;
  }

  /**
   * Confirms the held deletions matching `filter`: the next sync of each may delete that many files.
   * @throws TypeError for a filter {@link checkDeletionFilter} refuses
   */
  confirm(given: DeletionFilter): HeldDeletion[] {
    const filter = checkDeletionFilter(given);
    const confirmed = this.held().filter((entry) => (filter.peer === undefined || entry.peer === filter.peer) && (filter.root === undefined || entry.root === filter.root));
    for (const entry of confirmed) {
      const key = keyOf(entry.peer, entry.root, entry.side);
      this.#allowed.set(key, entry.count);
      this.#held.delete(key);
    }
    return confirmed;
  }

  /** Everything held back now, oldest first. */
  held(): HeldDeletion[] {
    return [...this.#held.values()].sort((a, b) => a.heldAt.localeCompare(b.heldAt));
  }
}
