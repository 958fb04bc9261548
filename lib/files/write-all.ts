import type { FileHandle } from 'node:fs/promises';

/** The part of a FileHandle that {@link writeAll} uses (a test may give a fake one). */
export type WritableHandle = Pick<FileHandle, 'write'>;

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
      if (bytesWritten <= 0) throw Object.assign(new Error(`ENOSPC: a write of ${chunk.length - done} bytes wrote none`), { code: 'ENOSPC' });
      done += bytesWritten;
    }
  } catch (error) {
    // A write through a handle names no file (Node's errors of an fd carry no path): the caller's, so its fix can name the folder.
    if (file !== undefined && error instanceof Error && (error as NodeJS.ErrnoException).path === undefined) Object.assign(error, { path: file });
    throw error;
  }
}
