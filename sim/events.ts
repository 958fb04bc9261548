/** Something that happens at a virtual time. */
interface Scheduled {
  readonly at: number;
  readonly order: number;
  readonly run: () => void;
}

/**
 * The simulation's virtual clock and its queue of events (a binary heap by
 * time, then by scheduling order): nothing waits for real time.
 */
export class EventQueue {
  readonly #heap: Scheduled[] = [];
  #order = 0;
  /** The current virtual time, in ms. */
  now = 0;
  /** Events run so far. */
  ran = 0;

  /** Runs `run` after `delayMs` of virtual time. */
  after(delayMs: number, run: () => void): void {
    this.#push({ at: this.now + Math.max(0, delayMs), order: this.#order++, run });
  }

  /** Runs `run` at virtual time `at` (now, if that has passed). */
  at(at: number, run: () => void): void {
    this.#push({ at: Math.max(this.now, at), order: this.#order++, run });
  }

  /** Runs events in order until the queue is empty, `until` is reached, or `stop()` says so. */
  runUntil(until: number, stop: () => boolean = () => false): void {
    while (this.#heap.length > 0) {
      const first = this.#heap[0] as Scheduled;
      if (first.at > until) break;
      this.#pop();
      this.now = first.at;
      first.run();
      this.ran += 1;
      if (stop()) return;
    }
    this.now = Math.max(this.now, until);
  }

  #less(a: Scheduled, b: Scheduled): boolean {
    return a.at < b.at || (a.at === b.at && a.order < b.order);
  }

  #push(item: Scheduled): void {
    const heap = this.#heap;
    heap.push(item);
    let i = heap.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.#less(heap[i] as Scheduled, heap[parent] as Scheduled)) break;
      [heap[i], heap[parent]] = [heap[parent] as Scheduled, heap[i] as Scheduled];
      i = parent;
    }
  }

  #pop(): void {
    const heap = this.#heap;
    const last = heap.pop() as Scheduled;
    if (heap.length === 0) return;
    heap[0] = last;
    let i = 0;
    for (;;) {
      const left = 2 * i + 1;
      const right = left + 1;
      let smallest = i;
      if (left < heap.length && this.#less(heap[left] as Scheduled, heap[smallest] as Scheduled)) smallest = left;
      if (right < heap.length && this.#less(heap[right] as Scheduled, heap[smallest] as Scheduled)) smallest = right;
      if (smallest === i) return;
      [heap[i], heap[smallest]] = [heap[smallest] as Scheduled, heap[i] as Scheduled];
      i = smallest;
    }
  }
}
