import { createHash } from 'node:crypto';
import { createReadStream, readFileSync } from 'node:fs';
import { DATABASE_HEADER_BYTES, isDatabaseHeader } from './file-policy';

/** Files up to this size are read in one call; larger ones are streamed. */
export const WHOLE_READ_LIMIT = 1024 * 1024;

/** What reading a file tells: its digest, or that it is database content. */
export type FileDigest = { readonly kind: 'file'; readonly sha256: string } | { readonly kind: 'database' };

function digestOf(header: Uint8Array): FileDigest | undefined {
  return isDatabaseHeader(header) ? { kind: 'database' } : undefined;
}

/** Hashes a small file with one read; blocks for the read, so keep it to small files. */
export function digestSmallFile(absolute: string): FileDigest {
  const bytes = readFileSync(absolute);
  return digestOf(bytes.subarray(0, DATABASE_HEADER_BYTES)) ?? {
    kind: 'file',
    sha256: createHash('sha256').update(bytes).digest('hex'),
  };
}

/** Streams a file of any size through SHA-256, sniffing its header on the way. */
export async function digestLargeFile(absolute: string): Promise<FileDigest> {
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
