/** Waits until the wall clock has moved on, so the next write's clock is later than any earlier write's, on any server. */
export function nextMillisecond(): void {
  const start = Date.now();
  while (Date.now() <= start + 1) {
    // spin: a write's clock is its millisecond times 1024 (plus a counter)
  }
}
