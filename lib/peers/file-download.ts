import { pipeline, type Readable } from 'node:stream';
import { decodingStream, parseCoding } from '../content-coding';
import { SyncError } from '../sync-error';
import { readPeerError } from './peer-answer';
import type { PeerHttp } from './peer-http';

/** A download's answer: its bytes (decoded) and where in the file they start. */
export interface DownloadBody {
  readonly body: Readable;
  /** The offset of the first byte in the file: the one asked for (206), or 0 (200, the whole file). */
  readonly start: number;
}

/**
 * A download's bytes as the file holds them: inflated when something in front
 * of the peer compressed them anyway (they were hashed compressed, and the
 * file taken for changed on the peer at every round).
 * @throws SyncError `PEER_BAD_ANSWER` (502) for a coding other than gzip, br or identity
 */
function decodedBody(body: Readable, coding: string | undefined, clientPath: string): Readable {
  const known = parseCoding(coding);
  if (known === undefined) {
    body.destroy();
    throw new SyncError('PEER_BAD_ANSWER', 502, `the download of ${clientPath} came with Content-Encoding ${JSON.stringify(coding).slice(0, 40)}, which this server cannot decode`);
  }
  const inflater = decodingStream(known);
  return inflater === undefined ? body : pipeline(body, inflater, () => undefined);
}

/** The first byte a 206 answer holds, from its `Content-Range` (`bytes <first>-<last>/<size>`); undefined when it holds none. */
function rangeStart(contentRange: string | undefined): number | undefined {
  const match = /^bytes (\d+)-\d+\/(?:\d+|\*)$/.exec(contentRange?.trim() ?? '');
  return match === null ? undefined : Number(match[1]);
}

/**
 * Asks the peer for a file it listed with `listedSize` bytes, from byte `from`
 * on: only the bytes listed (`Range: bytes=<from>-<listedSize - 1>`), so a
 * file that grew since its listing (a log being written) still brings the
 * version listed, which its SHA-256 is then checked against. Asked for
 * without compression, so a proxy in front of the peer (Traefik's compress)
 * leaves it alone. Without a listed size (or of an empty file) the whole file.
 * @throws SyncError `REMOTE_CHANGED` (409) when the file is now shorter than listed (416); the peer's error for any other refusal; `PEER_BAD_ANSWER` (502) for a 206 that starts elsewhere
 */
export async function requestDownload(peer: PeerHttp, clientPath: string, listedSize: number | undefined, from = 0): Promise<DownloadBody> {
  const ranged = listedSize !== undefined && Number.isSafeInteger(listedSize) && listedSize > 0 && from < listedSize;
  const headers = { 'Accept-Encoding': 'identity', ...(ranged ? { Range: `bytes=${from}-${listedSize - 1}` } : {}) };
  const response = await peer.request('GET', 'files/download', { path: clientPath }, undefined, headers);
  if (response.status === 416) {
    response.body.resume();
    throw new SyncError('REMOTE_CHANGED', 409, `${clientPath} is shorter on the peer than it was listed; it will be synced next round`);
  }
  if (response.status !== 200 && response.status !== 206) throw await readPeerError(response, `${peer.url} refused the download of ${clientPath}`);
  const start = response.status === 200 ? 0 : rangeStart(response.headers['content-range']);
  if (start === undefined || (response.status === 206 && (!ranged || start !== from))) {
    response.body.destroy();
    throw new SyncError('PEER_BAD_ANSWER', 502, `the download of ${clientPath} answered 206 with Content-Range ${JSON.stringify(response.headers['content-range'] ?? '').slice(0, 60)}, not the bytes asked for from ${from}`);
  }
  return { body: decodedBody(response.body, response.headers['content-encoding'], clientPath), start };
}
