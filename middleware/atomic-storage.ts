import { createHash, type Hash } from 'node:crypto';
import type { FileHandle } from 'node:fs/promises';
import type { Request } from 'express';
import type { StorageEngine } from 'multer';
import { describeStoreError, openTempFile, removeTempFile } from '../lib/files/atomic-file';
import { uploadedDatabaseRefused } from '../lib/files/database-refusal';
import { DATABASE_HEADER_BYTES, type FilePolicy } from '../lib/files/file-policy';
import type { ResolvedSyncPath } from '../lib/files/safe-path';
import { writeAll } from '../lib/files/write-all';
import { positiveInteger, refuseUnknownOptions } from '../lib/option-checks';
import { SyncError } from '../lib/sync-error';
import { getUploadContext } from './upload-context';

/** What the storage engine adds to multer's file object. */
export interface StoredUpload {
  /** The complete, fsynced temp file; renamed over the target by the route. */
  readonly path: string;
  /** Bytes written. */
  readonly size: number;
  /** SHA-256 of the bytes written, lower-case hex. */
  readonly sha256: string;
}

/** Options of {@link AtomicDiskStorage}. */
export interface AtomicDiskStorageOptions {
  /** Decides whether the first bytes are database content. */
  readonly policy: FilePolicy;
  /** Largest file accepted, in bytes. */
  readonly maxUploadBytes: number;
}

/** The options of {@link AtomicDiskStorage}; any other is refused. */
const STORAGE_OPTIONS: ReadonlySet<string> = new Set(['policy', 'maxUploadBytes'] satisfies (keyof AtomicDiskStorageOptions)[]);

type Chunks = AsyncIterator<Buffer>;

/** Reads chunks until at least `wanted` bytes (or the end) are held in memory. */
async function readHeader(chunks: Chunks, wanted: number): Promise<Buffer[]> {
  const held: Buffer[] = [];
  let bytes = 0;
  while (bytes < wanted) {
    const next = await chunks.next();
    if (next.done === true) break;
    held.push(next.value);
    bytes += next.value.length;
  }
  return held;
}

class TempWriter {
  readonly #hash: Hash = createHash('sha256');
  readonly #maxBytes: number;
  #size = 0;

  constructor(
    readonly handle: FileHandle,
    maxBytes: number,
  ) {
    this.#maxBytes = maxBytes;
  }

  async write(chunk: Buffer): Promise<void> {
    this.#size += chunk.length;
    if (this.#size > this.#maxBytes) {
      throw new SyncError('FILE_TOO_LARGE', 413, `the file is larger than the upload limit of ${this.#maxBytes} bytes`);
    }
    this.#hash.update(chunk);
    await writeAll(this.handle, chunk); // every byte: a short write (a disk filling up) must not leave a file shorter than its hash
  }

  finish(path: string): StoredUpload {
    return { path, size: this.#size, sha256: this.#hash.digest('hex') };
  }
}

/**
 * A multer storage engine that never lets database content reach the disk and
 * never leaves a partial file: it sniffs the first bytes in memory (403 for
 * SQLite, WAL or journal content, nothing written), then streams into a new
 * temp file beside the target, hashing on the way, and fsyncs it. The route
 * renames the temp file over the target once the whole request succeeded;
 * `_removeFile` undoes `_handleFile` by deleting the temp file.
 */
export class AtomicDiskStorage implements StorageEngine {
  readonly #policy: FilePolicy;
  readonly #maxUploadBytes: number;

  /**
   * @param options - the policy and the size limit
   * @throws TypeError for no options object, an unknown option, or a missing or wrong `policy` or `maxUploadBytes`; RangeError for a size limit that is not a positive integer
   */
  constructor(options: AtomicDiskStorageOptions) {
    if (typeof options !== 'object' || options === null) throw new TypeError('express-sqlite-sync: new AtomicDiskStorage needs { policy, maxUploadBytes }');
    refuseUnknownOptions(options, STORAGE_OPTIONS, 'new AtomicDiskStorage');
    const policy = options.policy as Partial<FilePolicy> | undefined;
    if (typeof policy !== 'object' || policy === null || typeof policy.isDatabaseContent !== 'function') {
      throw new TypeError('express-sqlite-sync: new AtomicDiskStorage needs `policy`, the file policy createFilePolicy() returns');
    }
    if (options.maxUploadBytes === undefined) throw new TypeError('express-sqlite-sync: new AtomicDiskStorage needs `maxUploadBytes`, the largest file accepted in bytes');
    this.#policy = options.policy;
    this.#maxUploadBytes = positiveInteger(options.maxUploadBytes, 'maxUploadBytes', 0);
  }

  /** multer's store hook: sniff, stream to temp, hash, fsync. */
  _handleFile(req: Request, file: Express.Multer.File, callback: (error?: unknown, info?: Partial<Express.Multer.File>) => void): void {
    const context = getUploadContext(req);
    if (context.settled) {
      file.stream.resume();
      callback(new SyncError('REQUEST_ANSWERED', 400, 'the request was already answered; nothing is stored'));
      return;
    }
    context.activeStream = file.stream;
    const work = this.#store(file, context.target);
    context.storageIdle = work.then(
      () => undefined,
      () => undefined,
    );
    work.then(
      (stored) => callback(null, stored),
      (error: unknown) => {
        if (error instanceof SyncError) context.fail(error);
        callback(error);
      },
    );
  }

  /** multer's undo hook: removes the temp file written by `_handleFile`. */
  _removeFile(_req: Request, file: Express.Multer.File, callback: (error: Error | null) => void): void {
    removeTempFile(file.path).then(
      () => callback(null),
      (error: Error) => callback(error),
    );
  }

  async #store(file: Express.Multer.File, target: ResolvedSyncPath | undefined): Promise<StoredUpload> {
    if (target === undefined) throw new Error('express-sqlite-sync: upload target was not resolved before storage');
    const chunks: Chunks = file.stream[Symbol.asyncIterator]();
    try {
      const header = await readHeader(chunks, DATABASE_HEADER_BYTES);
      if (this.#policy.isDatabaseContent(Buffer.concat(header).subarray(0, DATABASE_HEADER_BYTES))) {
        throw uploadedDatabaseRefused(`${target.root}/${target.relative}`, file.originalname); // where it would go, not only the name sent
      }
      return await this.#streamToTemp(header, chunks, target.absolute);
    } catch (error) {
      throw describeStoreError(error, `${target.root}/${target.relative}`);
    } finally {
      await chunks.return?.();
    }
  }

  async #streamToTemp(header: Buffer[], chunks: Chunks, target: string): Promise<StoredUpload> {
    const { tempPath, handle } = await openTempFile(target);
    const writer = new TempWriter(handle, this.#maxUploadBytes);
    try {
      for (const chunk of header) await writer.write(chunk);
      for (let next = await chunks.next(); next.done !== true; next = await chunks.next()) await writer.write(next.value);
      await handle.sync();
      await handle.close();
      return writer.finish(tempPath);
    } catch (error) {
      await handle.close().catch(() => undefined);
      await removeTempFile(tempPath);
      throw error;
    }
  }
}
