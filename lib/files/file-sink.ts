import type { FileHandle } from 'node:fs/promises';
import { Writable } from 'node:stream';
import { writeAll, writeAllChunks } from './write-all';

/** The part of a FileHandle that {@link fileSink} uses (a test may give a fake one). */
export type SinkHandle = Pick<FileHandle, 'write' | 'writev' | 'sync'>;

/**
 * A sink writing into an open file, every byte of each chunk (a short write
 * is written on: `writeAll`), and fsyncing it at the end; the caller closes
 * the file. A batch of chunks buffered while a write was under way goes out
 * in one writev(2), each chunk as it came (`writeAllChunks`), never copied
 * into one buffer first: a download's bytes are not copied once more on
 * their way to the disk.
 */
export function fileSink(handle: SinkHandle): Writable {
  return new Writable({
    highWaterMark: 1024 * 1024,
    write(chunk: Buffer, _encoding, callback) {
      writeAll(handle, chunk).then(() => callback(), callback);
    },
    writev(chunks, callback) {
      writeAllChunks(handle, chunks.map((entry) => entry.chunk as Buffer)).then(() => callback(), callback);
    },
    final(callback) {
      handle.sync().then(() => callback(), callback);
    },
  });
}
