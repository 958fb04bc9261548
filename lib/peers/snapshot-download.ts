import { createHash } from 'node:crypto';
import { open, rm, type FileHandle } from 'node:fs/promises';
import type { IncomingHttpHeaders } from 'node:http';
import { Transform, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { decodingStream, parseCoding, type ContentCoding } from '../content-coding';
import type { SnapshotFacts } from '../data/snapshot-file';
import { fileSink } from '../files/file-sink';
import { readPeerError } from './peer-answer';
import { rawFailure } from './peer-failure';
import { UNREACHABLE_CODES } from './failure-codes';
import type { PeerHttp } from './peer-http';
import { SyncError } from '../sync-error';
import { checkSnapshotRoom, ROOM_CHECK_EVERY_BYTES, snapshotWriteRefused } from './snapshot-room';

function badAnswer(peer: PeerHttp, message: string): SyncError {
  return new SyncError('PEER_BAD_ANSWER', 502, `${peer.url} answered GET data/snapshot: ${message}; is the peer an express-sqlite-sync server of this version?`);
}

function header(headers: IncomingHttpHeaders, name: string): string {
  const value = headers[name];
  return typeof value === 'string' ? value : '';
}

/** The facts a snapshot answer announces in its headers, checked. */
function readFacts(peer: PeerHttp, headers: IncomingHttpHeaders): SnapshotFacts {
  const sha256 = header(headers, 'x-content-sha256');
  const site = header(headers, 'x-sync-site');
  const seq = header(headers, 'x-sync-seq');
  const bytes = header(headers, 'x-snapshot-bytes');
  if (!/^[0-9a-f]{64}$/.test(sha256)) throw badAnswer(peer, 'no X-Content-SHA256 of 64 hex characters');
  if (!/^[0-9a-f]{32}$/.test(site)) throw badAnswer(peer, 'no X-Sync-Site of 32 hex characters');
  if (!/^[0-9]{1,15}$/.test(seq)) throw badAnswer(peer, 'no X-Sync-Seq integer');
  if (!/^[0-9]{1,15}$/.test(bytes)) throw badAnswer(peer, 'no X-Snapshot-Bytes integer');
  const mark = header(headers, 'x-sync-mark'); // none from an older sender
  if (mark !== '' && !/^[0-9a-f]{16}$/.test(mark)) throw badAnswer(peer, 'an X-Sync-Mark that is not 16 hex characters');
  return { sha256, site, seq: Number(seq), bytes: Number(bytes), ...(mark === '' ? {} : { mark }) };
}

/** Hashes and counts the bytes going through, refusing more than announced, and checks the disk's room again every so often. */
class Verifier extends Transform {
  readonly hash = createHash('sha256');
  bytes = 0;
  readonly #limit: number;
  readonly #file: string;
  #checkedAt = 0;

  constructor(limit: number, file: string) {
    super();
    this.#limit = limit;
    this.#file = file;
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.bytes += chunk.length;
    if (this.bytes > this.#limit) {
      callback(new SyncError('SNAPSHOT_MISMATCH', 502, `the snapshot is longer than the ${this.#limit} bytes its sender announced`));
      return;
    }
    this.hash.update(chunk);
    if (this.bytes - this.#checkedAt < ROOM_CHECK_EVERY_BYTES) {
      callback(null, chunk);
      return;
    }
    this.#checkedAt = this.bytes;
    checkSnapshotRoom(this.#file, this.#limit, this.#limit - this.bytes).then(() => callback(null, chunk), callback);
  }
}

/** Streams the body into the file, inflating it if needed; fsynced once complete. */
async function streamToFile(body: NodeJS.ReadableStream, coding: ContentCoding, verifier: Verifier, handle: FileHandle): Promise<void> {
  const inflater = decodingStream(coding);
  const sink = fileSink(handle);
  await (inflater === undefined ? pipeline(body, verifier, sink) : pipeline(body, inflater, verifier, sink));
}

/** Error codes of this machine's file system (a full disk, a folder it may not write): not the network's doing. */
const LOCAL_FILE_ERRORS = new Set(['ENOSPC', 'EDQUOT', 'EFBIG', 'EACCES', 'EPERM', 'EROFS', 'ENOENT', 'EEXIST', 'EISDIR', 'ENOTDIR', 'EIO', 'EMFILE', 'ENFILE', 'ENAMETOOLONG']);

function isLocalFileError(error: unknown): boolean {
  const { code } = error as { code?: unknown };
  return typeof code === 'string' && LOCAL_FILE_ERRORS.has(code);
}

/** What to do about a snapshot whose bytes were changed on the way. */
const CHANGED_ON_THE_WAY =
  'nothing was kept. Join again (a running server pulls from that peer page by page instead); if it happens again, something between the two servers changes bytes (a proxy, a failing network card, cable or disk): look at the link, or start the new server with an empty database, which pulls page by page';

/** What to do about a snapshot that came whole over HTTP, yet shorter than announced. */
const CUT_SHORT =
  'nothing was kept. Join again (a running server pulls from that peer page by page instead); if it happens again, something between the two servers cuts answers short (a proxy with a size or time limit): look at the link, or start the new server with an empty database, which pulls page by page';

/**
 * Downloads a peer's snapshot (`GET /data/snapshot`) into `file`, a new temp
 * file: streamed, hashed and counted on the way, never longer than
 * announced, fsynced, and kept only when its SHA-256 and size are the ones
 * announced; refused before and while it comes when the announced size would not fit on the
 * folder's disk with a margin (`SNAPSHOT_NO_SPACE`). Any failure removes the file.
 * @param coding - what to ask for: `gzip` on slow links, else `identity`
 * @returns what the snapshot's headers announced (and the bytes matched)
 * @throws SyncError with the peer's code for an error answer (`SNAPSHOTS_OFF` 404 …); `PEER_BAD_ANSWER`, `SNAPSHOT_MISMATCH`, `SNAPSHOT_HASH_MISMATCH`, `SNAPSHOT_INCOMPLETE` (502); `SNAPSHOT_NO_SPACE` (507: before, or a write the disk refused for room); the link's code (`ECONNRESET`, `PEER_TIMEOUT`, 502) for an answer the link cut off
 */
export async function downloadSnapshot(peer: PeerHttp, file: string, coding: ContentCoding): Promise<SnapshotFacts> {
  const response = await peer.request('GET', 'data/snapshot', {}, undefined, { Accept: 'application/vnd.sqlite3, application/json', 'Accept-Encoding': coding });
  if (response.status !== 200) throw await readPeerError(response, `${peer.url} answered GET data/snapshot`);
  let verifier: Verifier | undefined;
  let handle: FileHandle | undefined;
  let created = false;
  try {
    const facts = readFacts(peer, response.headers);
    const sent = parseCoding(header(response.headers, 'content-encoding'));
    if (sent === undefined) throw badAnswer(peer, `an unknown Content-Encoding ${header(response.headers, 'content-encoding')}`);
    await checkSnapshotRoom(file, facts.bytes, facts.bytes); // before a byte is written: a size no disk here holds is refused at once
    verifier = new Verifier(facts.bytes, file);
    handle = await open(file, 'wx', 0o600); // a new file only: an existing one is never written, nor removed below
    created = true;
    await streamToFile(response.body, sent, verifier, handle);
    await handle.close();
    handle = undefined;
    if (verifier.bytes !== facts.bytes) throw new SyncError('SNAPSHOT_INCOMPLETE', 502, `the snapshot ended after ${verifier.bytes} of ${facts.bytes} bytes: it was cut short on the way; ${CUT_SHORT}`);
    const sha256 = verifier.hash.digest('hex');
    if (sha256 !== facts.sha256) throw new SyncError('SNAPSHOT_HASH_MISMATCH', 502, `the snapshot's SHA-256 is ${sha256}, its sender announced ${facts.sha256}: its bytes were changed on the way; ${CHANGED_ON_THE_WAY}`);
    return facts;
  } catch (error) {
    response.body.destroy();
    await handle?.close();
    if (created) await rm(file, { force: true });
    if (error instanceof SyncError) throw error;
    const received = verifier?.bytes ?? 0;
    const detail = error instanceof Error ? error.message : String(error);
    const noRoom = snapshotWriteRefused(error, file); // a disk that filled up after the room was checked: the fix, not SQLite's or Node's words
    if (noRoom !== undefined) throw noRoom;
    if (isLocalFileError(error)) throw new SyncError('SNAPSHOT_INCOMPLETE', 502, `the snapshot could not be written to ${file} after ${received} bytes (a problem on this machine, not the network): ${detail}`, { cause: error });
    const { code } = rawFailure(error);
    // Compressed bytes that do not inflate came whole but changed (the link's loss is an abort, not this): as a SHA-256 that differs.
    if (code === 'Z_DATA_ERROR') throw new SyncError('SNAPSHOT_HASH_MISMATCH', 502, `the snapshot's compressed bytes do not inflate (${detail}): they were changed on the way; ${CHANGED_ON_THE_WAY}`, { cause: error });
    // A compressed answer whose HTTP body came whole but whose gzip stream ends early: cut short by the sender or a proxy, not a link lost.
    if (code === 'Z_BUF_ERROR') throw new SyncError('SNAPSHOT_INCOMPLETE', 502, `the snapshot's compressed bytes end before the snapshot does (${detail}): it was cut short on the way; ${CUT_SHORT}`, { cause: error });
    // The link lost the answer (cut, or silent for peerTimeoutMs): the link's code, so the peer reads as unreachable, not as failing.
    throw new SyncError(UNREACHABLE_CODES.has(code) ? code : 'SNAPSHOT_INCOMPLETE', 502, `the snapshot download broke off after ${received} bytes: ${detail}`, { cause: error });
  }
}
