import type { FileHandle } from 'node:fs/promises';

/** The part of a FileHandle that {@link writeAll} uses (a test may give a fake one). */
export type WritableHandle = Pick<FileHandle, 'write'>;

/** The part of a FileHandle that {@link writeAllChunks} uses (a test may give a fake one). */
export type VectorHandle = Pick<FileHandle, 'writev'>;

/** The error of a write that wrote nothing: the disk takes no more (as the file system would say it). */
function wroteNone(left: number): Error {
  return Object.assign(new Error(`ENOSPC: a write of ${left} bytes wrote none`), { code: 'ENOSPC' });
}

/** Names `file` as the error's `path` when it names none (Node's errors of an fd carry no path), so its fix can name the folder. */
function withPath(error: unknown, file: string | undefined): unknown {
  if (file !== undefined && error instanceof Error && (error as NodeJS.ErrnoException).path === undefined) Object.assign(error, { path: file });
  return error;
}

/**
 * Writes every byte of `chunk` to `handle`, at `position` (or at the file's
 * current position when none is given), as many writes as it takes.
 * `FileHandle.write` is one write(2): on a disk that fills up, or at a file
 * size limit (`ulimit -f`, the file system's largest file), it may write only
 * the first bytes and still succeed. A caller that hashed the chunk and took
 * it as written then kept a file shorter than its hash says (the last write
 * of a download or an upload: nothing came after it to fail). The rest is
 * written again here, so the write that cannot go on fails with the file
 * system's own code (ENOSPC, EDQUOT, EFBIG).
 * @param file - the file written, named as the error's `path` (a handle's errors name none)
 * @throws the file system's error; `ENOSPC` when a write makes no progress at all
 */
export async function writeAll(handle: WritableHandle, chunk: Uint8Array, position?: number, file?: string): Promise<void> {
  let done = 0;
  try {
    while (done < chunk.length) {
      const { bytesWritten } = await handle.write(chunk, done, chunk.length - done, position === undefined ? null : position + done);
      if (bytesWritten <= 0) throw wroteNone(chunk.length - done);
      done += bytesWritten;
    }
  } catch (error) {
    throw withPath(error, file);
  }
}

/** What is left of `chunks` once their first `written` bytes are written: views of the same memory, never a copy. */
function unwritten(chunks: readonly Uint8Array[], written: number): Uint8Array[] {
  const left: Uint8Array[] = [];
  let skip = written;
  for (const chunk of chunks) {
    if (skip >= chunk.length) skip -= chunk.length;
    else {
      left.push(skip === 0 ? chunk : chunk.subarray(skip));
      skip = 0;
    }
  }
  return left;
}

/**
 * Writes every byte of `chunks`, in order, at the file's current position,
 * with one writev(2) for the lot (as many as it takes): a batch of a stream's
 * chunks goes to the file without being copied into one buffer first. A
 * short write (a disk filling up, a file size limit; or more chunks than the
 * system takes in one call) is written on from the first byte not written,
 * as {@link writeAll} does, so the write that cannot go on fails with the
 * file system's own code.
 * @param file - the file written, named as the error's `path` (a handle's errors name none)
 * @throws the file system's error; `ENOSPC` when a write makes no progress at all
 */
export async function writeAllChunks(handle: VectorHandle, chunks: readonly Uint8Array[], file?: string): Promise<void> {
  let left = chunks.filter((chunk) => chunk.length > 0);
  try {
    while (left.length > 0) {
      const { bytesWritten } = await handle.writev(left);
      if (bytesWritten <= 0) throw wroteNone(left.reduce((sum, chunk) => sum + chunk.length, 0));
      left = unwritten(left, bytesWritten);
    }
  } catch (error) {
    throw withPath(error, file);
  }
}
