import { createHash } from 'node:crypto';
import { createReadStream, readFileSync } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import { DATABASE_HEADER_BYTES, isDatabaseHeader } from './file-policy';
import { isLiveDatabaseFile, isLiveDatabaseFileSync } from './live-databases';

/** Files up to this size are read in one call; larger ones are streamed. */
export const WHOLE_READ_LIMIT = 1024 * 1024;

/** What reading a file tells: its digest, or that it is database content. */
export type FileDigest = { readonly kind: 'file'; readonly sha256: string } | { readonly kind: 'database' };

function digestOf(header: Uint8Array): FileDigest | undefined {
  return isDatabaseHeader(header) ? { kind: 'database' } : undefined;
}

/** Hashes a small file with one read; blocks for the read, so keep it to small files. */
export function digestSmallFile(absolute: string): FileDigest {
  if (isLiveDatabaseFileSync(absolute)) return { kind: 'database' }; // never opened: see live-databases.ts
  const bytes = readFileSync(absolute);
  return digestOf(bytes.subarray(0, DATABASE_HEADER_BYTES)) ?? {
    kind: 'file',
    sha256: createHash('sha256').update(bytes).digest('hex'),
  };
}

/** Streams a file of any size through SHA-256, sniffing its header on the way. */
export async function digestLargeFile(absolute: string): Promise<FileDigest> {
  if (await isLiveDatabaseFile(absolute)) return { kind: 'database' }; // never opened: see live-databases.ts
  const hash = createHash('sha256');
  let header: Buffer | undefined;
  for await (const chunk of createReadStream(absolute, { highWaterMark: 256 * 1024 })) {
    const bytes = chunk as Buffer;
    if (header === undefined) {
      header = bytes.subarray(0, DATABASE_HEADER_BYTES);
      const database = digestOf(header);
      if (database) return database;
    }
    hash.update(bytes);
  }
  return { kind: 'file', sha256: hash.digest('hex') };
}

/** Hashes a file, choosing one read or a stream by its size. */
export async function digestFile(absolute: string, size: number): Promise<FileDigest> {
  return size <= WHOLE_READ_LIMIT ? digestSmallFile(absolute) : digestLargeFile(absolute);
}

/**
 * Hashes the first `size` bytes of an open file, read by position through the
 * handle: the digest is of the very file that was opened, even when its path
 * is renamed over meanwhile. The handle's position is not used.
 */
export async function digestOpenFile(handle: FileHandle, size: number): Promise<FileDigest> {
  const hash = createHash('sha256');
  const buffer = Buffer.alloc(Math.min(Math.max(size, 1), 256 * 1024));
  for (let position = 0; position < size; ) {
    const { bytesRead } = await handle.read(buffer, 0, Math.min(buffer.length, size - position), position);
    if (bytesRead === 0) break; // shortened in place meanwhile
    const bytes = buffer.subarray(0, bytesRead);
    if (position === 0) {
      const database = digestOf(bytes.subarray(0, DATABASE_HEADER_BYTES));
      if (database) return database;
    }
    hash.update(bytes);
    position += bytesRead;
  }
  return { kind: 'file', sha256: hash.digest('hex') };
}
