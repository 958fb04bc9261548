import type { FileHandle } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { openRegularFile } from '../files/regular-file';
import { SyncError } from '../sync-error';

/** Bytes read (and sent) at a time. */
const CHUNK_BYTES = 256 * 1024;

/** The bytes of a local file an upload sends, from one open handle. */
export interface ListedBytes {
  /** How many: the size listed, or the file's size now when none was. */
  readonly size: number;
  /** The multipart body: `head`, the file's first `size` bytes, `tail`; the file is closed when it ends or is destroyed. */
  readonly body: Readable;
}

function changedHere(clientPath: string, how: string): SyncError {
  return new SyncError('LOCAL_CHANGED', 409, `${clientPath} ${how} here during the sync; it will be synced next round`);
}

/** The first `size` bytes of an open file, read by position. */
async function* firstBytes(handle: FileHandle, size: number, clientPath: string): AsyncGenerator<Buffer> {
  for (let position = 0; position < size; ) {
    const buffer = Buffer.alloc(Math.min(CHUNK_BYTES, size - position));
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, position);
    if (bytesRead === 0) throw changedHere(clientPath, 'was cut short'); // the request is cut: never fewer bytes than its Content-Length
    position += bytesRead;
    yield buffer.subarray(0, bytesRead);
  }
}

/**
 * Opens a local file to upload and gives the bytes the scan listed: its first
 * `listedSize` bytes, read from one handle, so a file written to meanwhile (a
 * log) still sends the version listed (which its SHA-256 names) and never
 * more bytes than the `Content-Length` says. Without `listedSize`, the size
 * the file has now.
 * @throws SyncError `LOCAL_CHANGED` (409) when the file is gone, no longer a file, or shorter than listed; `DB_CONTENT_REFUSED` (403) for a live database
 */
export async function openListedBytes(absolute: string, clientPath: string, listedSize: number | undefined, head: Buffer, tail: Buffer): Promise<ListedBytes> {
  const opened = await openRegularFile(absolute).catch((error: unknown) => {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT' || (error as NodeJS.ErrnoException).code === 'ENOTDIR') return undefined;
    throw error;
  });
  if (opened === undefined) throw changedHere(clientPath, 'is no longer a file');
  const { handle, stats } = opened;
  const size = listedSize ?? stats.size;
  if (size > stats.size) {
    await handle.close();
    throw changedHere(clientPath, 'was cut short');
  }
  const body = Readable.from(
    (async function* chunks() {
      yield head;
      yield* firstBytes(handle, size, clientPath);
      yield tail;
    })(),
  );
  body.once('close', () => void handle.close().catch(() => undefined));
  return { size, body };
}
