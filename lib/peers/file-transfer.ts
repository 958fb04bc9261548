import { stat } from 'node:fs/promises';
import path from 'node:path';
import { commitTempFile, removeSyncedFile, removeTempFile } from '../files/atomic-file';
import { withFileLock } from '../files/file-locks';
import { writeAll } from '../files/write-all';
import { removeEmptyFolderTree } from '../files/empty-folder-tree';
import { isDatabaseOnDisk } from '../files/database-file';
import { digestFile } from '../files/file-hash';
import { databaseContentRefused, peerSentDatabase } from '../files/database-refusal';
import { DATABASE_HEADER_BYTES, isDatabaseHeader } from '../files/file-policy';
import { deleteAnswerCheck, uploadAnswerCheck } from '../files/wire-schema';
import { requestDownload } from './file-download';
import { openListedBytes } from './file-upload-body';
import { keepDownload, restartDownload, resumeOrOpen, type TempDownload } from './partial-downloads';
import { rawFailure } from './peer-failure';
import { UNREACHABLE_CODES } from './failure-codes';
import { readPeerError } from './peer-answer';
import type { PeerHttp } from './peer-http';
import type { Side } from './file-sync-plan';
import { SyncError } from '../sync-error';

/** What {@link localSide} answers for a database on disk: never equal to a digest or to "absent". */
export const DATABASE_ON_DISK = 'database';
/** What {@link localSide} answers for a folder where a file is planned: never equal to a digest or to "absent". */
export const FOLDER_ON_DISK = 'folder';
/** What {@link localSide} answers for a pipe, socket or device where a file is planned. */
export const SPECIAL_ON_DISK = 'special';

/**
 * The SHA-256 of a local file now, undefined when nothing is there,
 * {@link DATABASE_ON_DISK} for a database (by content, or as a side file),
 * {@link FOLDER_ON_DISK} for a folder and {@link SPECIAL_ON_DISK} for a pipe,
 * socket or device: none of these matches a plan, so no step replaces or
 * deletes them (an empty folder aside, see {@link fetchRemoteFile}).
 */
export async function localSide(absolute: string): Promise<Side> {
  const stats = await stat(absolute).catch(() => undefined);
  if (stats === undefined) return undefined;
  if (stats.isDirectory()) return FOLDER_ON_DISK;
  if (!stats.isFile()) return SPECIAL_ON_DISK;
  if (await isDatabaseOnDisk(absolute)) return DATABASE_ON_DISK;
  const digest = await digestFile(absolute, stats.size);
  return digest.kind === 'file' ? digest.sha256 : DATABASE_ON_DISK;
}

function partHead(boundary: string, filename: string): Buffer {
  const safeName = filename.replace(/["\r\n\\]/g, '_');
  return Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${safeName}"\r\nContent-Type: application/octet-stream\r\n\r\n`);
}

/** True when the peer's file at `clientPath` has this SHA-256 now (its ETag, read with HEAD). */
export async function peerHolds(peer: PeerHttp, clientPath: string, sha256: string): Promise<boolean> {
  try {
    const head = await peer.request('HEAD', 'files/download', { path: clientPath });
    head.body.resume();
    return head.status === 200 && head.headers.etag === `"${sha256}"`;
  } catch {
    return false;
  }
}

/**
 * Sends a local file to the peer's `/files/upload`, with its SHA-256 for
 * integrity and `if_match` so that a file the peer changed meanwhile is not
 * overwritten; a 412 for a file that now holds these very bytes (another
 * server pushed them first) is success. Sends the `listedSize` bytes the scan
 * listed for `sha256` (see {@link openListedBytes}).
 */
export async function uploadFile(peer: PeerHttp, absolute: string, clientPath: string, sha256: string, remote: Side, listedSize?: number): Promise<void> {
  const boundary = `----express-sqlite-sync-${sha256.slice(0, 16)}`;
  const head = partHead(boundary, path.basename(absolute));
  const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
  const file = await openListedBytes(absolute, clientPath, listedSize, head, tail); // never a live database: see live-databases.ts
  let response;
  try {
    response = await peer.request(
      'POST',
      'files/upload',
      { path: clientPath, sha256, if_match: remote ?? 'none' },
      { kind: 'stream', contentType: `multipart/form-data; boundary=${boundary}`, stream: file.body, length: head.length + file.size + tail.length },
    );
  } catch (error) {
    file.body.destroy(); // closes the file, also when the body was never read
    throw error;
  }
  if (response.status === 412 && (await peerHolds(peer, clientPath, sha256))) {
    response.body.resume();
    return; // another server brought it the same bytes meanwhile: nothing is left to do
  }
  // Named as the peer's answer: its words ("… is a folder here") speak of the peer, not of the server whose status shows them.
  if (response.status >= 400) throw await readPeerError(response, `${peer.url} refused the upload of ${clientPath}`);
  const stored = await peer.readAnswer(response, uploadAnswerCheck, `POST files/upload?path=${clientPath}`);
  if (stored.sha256 !== sha256) throw new SyncError('PEER_BAD_ANSWER', 502, `the peer stored ${clientPath} with sha256 ${stored.sha256}, not ${sha256}`);
}

/** Writes a download's bytes to its temp file and hash, refusing a database and more than `maxBytes`. */
async function receive(body: AsyncIterable<unknown>, download: TempDownload, clientPath: string, maxBytes: number): Promise<void> {
  for await (const received of body) {
    const chunk = received as Buffer;
    if (download.bytes + chunk.length > maxBytes) throw new SyncError('REMOTE_CHANGED', 409, `${clientPath} grew past the ${maxBytes} bytes the peer listed during the sync; it will be synced next round`);
    if (download.header.length < DATABASE_HEADER_BYTES) {
      download.header = Buffer.concat([download.header, chunk]).subarray(0, DATABASE_HEADER_BYTES);
      if (download.header.length === DATABASE_HEADER_BYTES && isDatabaseHeader(download.header)) throw peerSentDatabase(clientPath);
    }
    download.hash.update(chunk);
    await writeAll(download.handle, chunk, download.bytes, download.tempPath); // every byte: a short write (a disk filling up) must not leave a hole the hash does not see
    download.bytes += chunk.length;
  }
  if (isDatabaseHeader(download.header)) throw peerSentDatabase(clientPath);
}

/**
 * Fetches a file from the peer (`fetchRemoteFile`, not to be confused with
 * the route that serves one) into a temp file beside `absolute`, checks
 * that it hashes to `remote`, and renames it into place only if the local
 * file is still what the plan saw (`local`). Only the `maxBytes` the peer
 * listed for `remote` are asked for (a file grown since still brings the
 * version listed), and never more are written: a peer streaming on is cut off.
 * A download the link cuts off (the connection lost, the peer silent) is
 * kept, and the next one of the same bytes (the peer's listing unchanged)
 * asks only for the rest (`Range: bytes=<kept>-`); the whole file's hash is
 * checked all the same (see `partial-downloads.ts`).
 */
export async function fetchRemoteFile(peer: PeerHttp, clientPath: string, remote: string, absolute: string, local: Side, maxBytes = Number.POSITIVE_INFINITY): Promise<void> {
  const download = await resumeOrOpen(absolute, remote);
  const { tempPath, handle } = download;
  try {
    const { body, start } = await requestDownload(peer, clientPath, Number.isFinite(maxBytes) ? maxBytes : undefined, download.bytes);
    if (start !== download.bytes) await restartDownload(download); // the whole file came (a peer that ignores Range)
    await receive(body, download, clientPath, maxBytes);
    await handle.sync();
    await handle.close();
    const received = download.hash.digest('hex');
    if (received !== remote) throw new SyncError('REMOTE_CHANGED', 409, `${clientPath} changed on the peer during the sync; it will be synced next round`);
    await withFileLock(absolute, async () => {
      const now = await makeRoomForFile(absolute, clientPath);
      if (now === remote) {
        await removeTempFile(tempPath); // already here (another sync brought it): nothing to do
        return;
      }
      if (now !== local) throw new SyncError('LOCAL_CHANGED', 409, `${clientPath} changed here during the sync; it will be synced next round`);
      await commitTempFile(tempPath, absolute);
    });
  } catch (error) {
    await handle.close().catch(() => undefined);
    // Cut off by the link: kept for the next try. Anything else (the bytes refused, the file changed) starts again from nothing.
    if (UNREACHABLE_CODES.has(rawFailure(error).code)) await keepDownload(absolute, download, remote);
    else await removeTempFile(tempPath);
    throw error;
  }
}

/**
 * What is at `absolute` now, for a file about to be put there: a folder
 * that holds only empty folders (left by the deletion of the files they
 * held) is removed and counts as absent; a folder that holds anything else
 * (a file or a symlink, however deep), a pipe or a device is refused.
 * @throws SyncError `DB_CONTENT_REFUSED` (409) for a database, `PATH_CONFLICT` (409) for a folder that holds anything or a special file
 */
async function makeRoomForFile(absolute: string, clientPath: string): Promise<Side> {
  const now = await localSide(absolute);
  if (now === DATABASE_ON_DISK) throw databaseContentRefused(clientPath, 409);
  if (now === SPECIAL_ON_DISK) {
    throw new SyncError('PATH_CONFLICT', 409, `${clientPath} is a pipe, socket or device here, not a file; remove it so that the file can sync`);
  }
  if (now !== FOLDER_ON_DISK) return now;
  if (!(await removeEmptyFolderTree(absolute))) {
    throw new SyncError('PATH_CONFLICT', 409, `${clientPath} is a folder here that holds files; move or delete the folder ${clientPath} so that the file of that name can sync`);
  }
  return undefined;
}

/**
 * Deletes a local file if it still has the SHA-256 the plan saw; a file
 * already gone is fine. With `rootDir`, the folders it leaves empty are
 * removed too (up to the root).
 */
export async function deleteLocalFile(absolute: string, clientPath: string, local: string, rootDir?: string): Promise<void> {
  await withFileLock(absolute, async () => {
    const now = await localSide(absolute);
    if (now === undefined) return;
    if (now !== local) throw new SyncError('LOCAL_CHANGED', 409, `${clientPath} changed here during the sync; it will be synced next round`);
    await removeSyncedFile(absolute, rootDir);
  });
}

/** Deletes a file on the peer if it still has the SHA-256 the plan saw; a file already gone is fine. */
export async function deleteRemoteFile(peer: PeerHttp, clientPath: string, remote: string): Promise<void> {
  try {
    await peer.json('DELETE', 'files', deleteAnswerCheck, { path: clientPath, if_match: remote });
  } catch (error) {
    if (error instanceof SyncError && error.code === 'NOT_FOUND') return;
    throw error;
  }
}
