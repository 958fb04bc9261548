/** Changes decoded ahead of the merge, at most (see {@link decodedAhead}). */
export const DECODED_AHEAD = 2048;

/**
 * The changes of `source`, decoded `size` at a time ahead of their merge: the
 * decoding and the writes each run in a stretch, not alternately (which keeps
 * SQLite's pages warmer). Decoding reads nothing the merge writes, and an error
 * decoding a change is thrown where that change comes, after the changes
 * before it were merged and `beforeFailing` ran, as when decoding one by one.
 */
export function* decodedAhead<T>(source: Iterable<T>, size: number, beforeFailing: () => void): Iterable<T> {
  const iterator = source[Symbol.iterator]();
  for (;;) {
    const buffer: T[] = [];
    let failure: { readonly error: unknown } | undefined;
    let done = false;
    try {
      while (buffer.length < size) {
        const next = iterator.next();
        if (next.done === true) {
          done = true;
          break;
        }
        buffer.push(next.value);
      }
    } catch (error) {
      failure = { error };
    }
    yield* buffer;
    if (failure !== undefined) {
      beforeFailing();
      throw failure.error;
    }
    if (done) return;
  }
}
