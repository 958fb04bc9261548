/**
 * Which sync roots a peer's file sync holds now: each root syncs with one
 * peer at a time, and a peer's round takes its roots in the order they are
 * free, so a long transfer with one peer (a 500 MB video over a weak link)
 * holds only its root: the other peers' rounds sync every other root
 * meanwhile, then wait for that one. Two peers' syncs of one root at once
 * would race each other's preconditions. It holds this server's own rounds
 * only: a peer's round can still sync a root with this server (as its
 * server side) while this server's own round on that root runs with a
 * third, and in a mesh versions of one file can then go round the ring,
 * each step valid (each server passing on what it had while taking in its
 * neighbour's); so can a version put back, with rounds one at a time
 * (docs/PROTOCOL.md, "A limit: a version that goes round a ring").
 */
export class RootTurns {
  readonly #busy = new Set<string>();
  #waiters: Array<() => void> = [];

  /**
   * Takes the first of `pending` that no other round holds, removing it from
   * `pending`; waits until one is released when all are held.
   * @throws RangeError when `pending` is empty
   */
  async take(pending: string[]): Promise<string> {
    if (pending.length === 0) throw new RangeError('express-sqlite-sync: RootTurns.take needs a root to take');
    for (;;) {
      const index = pending.findIndex((root) => !this.#busy.has(root));
      if (index >= 0) {
        const [root] = pending.splice(index, 1) as [string];
        this.#busy.add(root);
        return root;
      }
      await new Promise<void>((resolve) => this.#waiters.push(resolve));
    }
  }

  /** Releases a root taken with {@link take}; every waiting round looks again. */
  release(root: string): void {
    this.#busy.delete(root);
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const wake of waiters) wake();
  }
}
