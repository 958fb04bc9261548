/**
 * How many peers' file syncs run at once: each peer's runs on its own, so a
 * long transfer from one peer on a slow link never holds the others', up to
 * `limit` at a time (each holds a connection, a file handle and a temp file,
 * and shares the disk). Two peers bringing the same path at once are safe:
 * every rename or delete checks what is on disk under the path's lock
 * (`withFileLock`), so one of them wins and the other's step is refused
 * (`LOCAL_CHANGED`) and planned again next round; each peer keeps its own base.
 */
export class FileSyncTurns {
  readonly #limit: number;
  #running = 0;
  readonly #waiting: Array<() => void> = [];

  /** @param limit - file syncs at once, at least 1 */
  constructor(limit: number) {
    if (!Number.isSafeInteger(limit) || limit < 1) throw new RangeError(`express-sqlite-sync: FileSyncTurns takes a limit of at least 1, got ${String(limit)}`);
    this.#limit = limit;
  }

  /** Runs `work` once fewer than `limit` others run, in arrival order; settles as `work` does. */
  async run<T>(work: () => Promise<T>): Promise<T> {
    if (this.#running >= this.#limit) await new Promise<void>((resolve) => this.#waiting.push(resolve));
    else this.#running += 1;
    try {
      return await work();
    } finally {
      const next = this.#waiting.shift();
      if (next === undefined) this.#running -= 1;
      else next(); // the turn passes on: the count stays
    }
  }
}
