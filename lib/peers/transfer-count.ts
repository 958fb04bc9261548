/** Counts of one direction of data sync. */
export interface TransferCount {
  rows: number;
  /** Distinct conflicts (parked rows, by id) this direction left. */
  conflicts: number;
  pages: number;
  /** The ids behind `conflicts`: a row parked on both sides of a link is one conflict, not two. */
  readonly conflictIds: Set<string>;
}

/** A count of nothing yet. */
export function emptyCount(): TransferCount {
  return { rows: 0, conflicts: 0, pages: 0, conflictIds: new Set() };
}

/** Notes the conflicts an apply answered, each id once. */
export function noteConflicts(count: TransferCount, conflicts: ReadonlyArray<{ readonly id: string }>): void {
  for (const conflict of conflicts) count.conflictIds.add(conflict.id);
  count.conflicts = count.conflictIds.size;
}

/** How many distinct conflicts a pull and a push left together (a row parked on both servers counts once). */
export function distinctConflicts(...counts: readonly TransferCount[]): number {
  return new Set(counts.flatMap((count) => [...count.conflictIds])).size;
}
