import { conflictCopyOrigin, isConflictCopyName } from './conflict-copy-names';

/** Conflict copies listed per root at most; the count holds them all. */
export const COPIES_LISTED = 20;

/** A conflict copy found on disk, and the file it was named after. */
export interface ConflictCopyOnDisk {
  /** `<root>/<path>` of the file the copy was named after; `null` when no such file is there now. */
  readonly path: string | null;
  /** `<root>/<path>` of the copy: the other version, kept when a file changed on both sides. */
  readonly copyPath: string;
}

/** The conflict copies the last whole scan of one root found on disk. */
export interface RootConflictCopies {
  /** The root's name. */
  readonly root: string;
  /** ISO time of that scan. */
  readonly at: string;
  /** How many conflict copies the root holds. */
  readonly count: number;
  /** The first {@link COPIES_LISTED} of them, by path. */
  readonly copies: readonly ConflictCopyOnDisk[];
}

/**
 * The conflict copies among a root's `paths` (sorted, as a scan lists
 * them): every file whose name carries a `.sync-conflict-<date>-<time>-<site>`
 * marker. They stay until someone deletes them (or a sync finds one holding
 * nothing new), so listing what is on disk shows every server's operator
 * the versions still waiting for a choice, whichever server's round kept
 * them and across restarts. Undefined when the root holds none.
 */
export function conflictCopiesIn(root: string, paths: readonly string[], at: string): RootConflictCopies | undefined {
  const copies = paths.filter(isConflictCopyName);
  if (copies.length === 0) return undefined;
  const listed = copies.slice(0, COPIES_LISTED).map((copy): ConflictCopyOnDisk => {
    const origin = conflictCopyOrigin(copy, paths);
    const there = origin !== undefined && paths.includes(origin);
    return { path: there ? `${root}/${origin}` : null, copyPath: `${root}/${copy}` };
  });
  return { root, at, count: copies.length, copies: listed };
}
