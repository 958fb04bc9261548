import { Type, type Static } from '@sinclair/typebox';
import { TypeCompiler } from '@sinclair/typebox/compiler';
import { createHash } from 'node:crypto';
import { rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { withFileLock } from '../files/file-locks';
import { FileSyncState } from './file-sync-state';
import type { KnownPeers } from './known-peers';
import type { PeerHttp } from './peer-http';

/** Most paths one `POST /files/settled` may carry. */
export const MAX_SETTLED_PATHS = 1000;
/** Largest `POST /files/settled` body accepted, in bytes (once inflated). */
export const MAX_SETTLED_BODY_BYTES = 1024 * 1024;
/** What a sender puts in one request at most, in estimated bytes: well under {@link MAX_SETTLED_BODY_BYTES}. */
const SEND_BYTES = 256 * 1024;

/** JSON Schema of a `POST /files/settled` body: per root and path, the SHA-256 both sides hold, or null when neither holds it. */
export const SettledBodySchema = Type.Object(
  {
    site: Type.String({ pattern: '^[0-9a-f]{32}$' }),
    // No per-root bound here: the route counts the paths over all roots and answers 413 past MAX_SETTLED_PATHS.
    roots: Type.Record(Type.String(), Type.Record(Type.String(), Type.Union([Type.String({ pattern: '^[0-9a-f]{64}$' }), Type.Null()])), {
      maxProperties: 64,
    }),
  },
  { additionalProperties: false },
);

/** JSON Schema of what `POST /files/settled` answers: how many of the receiver's peer bases took the paths (0: it does not sync with that site). */
export const SettledAnswerSchema = Type.Object({ peers: Type.Integer({ minimum: 0 }) });

/** A `POST /files/settled` body. */
export type SettledBody = Static<typeof SettledBodySchema>;
/** What `POST /files/settled` answers. */
export type SettledAnswer = Static<typeof SettledAnswerSchema>;
/** Per root, per path: the SHA-256 both sides hold, or undefined when neither holds the path. */
export type SettledPaths = ReadonlyMap<string, ReadonlyMap<string, string | undefined>>;

/** Compiled validator of a `POST /files/settled` body. */
export const settledBodyCheck = TypeCompiler.Compile(SettledBodySchema);
/** Compiled validator of a peer's answer to `POST /files/settled`. */
export const settledAnswerCheck = TypeCompiler.Compile(SettledAnswerSchema);

/** The file that keeps the base of the file sync with the peer at `url`. */
export function fileStateOf(stateDir: string, url: string): string {
  const key = createHash('sha256').update(url).digest('hex').slice(0, 16);
  return path.join(stateDir, `files-${key}.json`);
}

/** The paths of one root cut into bodies of a size the receiver takes. */
function batches(settled: ReadonlyMap<string, string | undefined>): Array<Record<string, string | null>> {
  const bodies: Array<Record<string, string | null>> = [];
  let body: Record<string, string | null> = {};
  let count = 0;
  let bytes = 0;
  for (const [relative, sha256] of settled) {
    const size = Buffer.byteLength(JSON.stringify(relative)) + 72;
    if (count === MAX_SETTLED_PATHS || (count > 0 && bytes + size > SEND_BYTES)) {
      bodies.push(body);
      [body, count, bytes] = [{}, 0, 0];
    }
    body[relative] = sha256 ?? null;
    count += 1;
    bytes += size;
  }
  if (count > 0) bodies.push(body);
  return bodies;
}

/**
 * Tells the peer what a round settled in one root (`POST /files/settled`),
 * so that its base with this server moves as ours did: a round run by
 * either side counts as the last sync for both. Best effort: a peer that
 * cannot take it (an older server answers 404, a peer gone) keeps its older
 * base, as before, and the round goes on.
 */
export async function tellPeerSettled(peer: PeerHttp, site: string, root: string, settled: ReadonlyMap<string, string | undefined>): Promise<void> {
  for (const paths of batches(settled)) {
    const body: SettledBody = { site, roots: { [root]: paths } };
    try {
      await peer.json('POST', 'files/settled', settledAnswerCheck, {}, { kind: 'json', value: body });
    } catch {
      return; // the peer's base stays as it was: its next round is planned as before this protocol step
    }
  }
}

/** What records a peer's settlements: this server's peers, what it knows of them, and where their bases are kept. */
export interface SettledRecorder {
  /** This server's peer URLs. */
  readonly peers: readonly string[];
  /** The site id each peer URL answered with at its last handshake (or `GET /files/info`). */
  readonly known: KnownPeers;
  /** Where the bases are kept; none: nothing is recorded. */
  readonly stateDir: string | undefined;
  /** True when this server learns its peers' site ids (by a data handshake, or `GET /files/info` when either side has no data); else nothing waits. */
  readonly handshakes: boolean;
}

/** Where settlements from `site` wait while no peer URL of this server is known to be that site. */
function waitingStateOf(stateDir: string, site: string): string {
  return path.join(stateDir, `files-site-${site}.json`);
}

/**
 * Records what a peer's own round settled with this server in the base kept
 * for that peer: every peer URL of this server whose site is `site`. When
 * none is known to be that site yet while some peer URL has not answered a
 * handshake (this server has not run a round with it: a server just
 * started, or one whose own rounds to that peer fail), the paths wait in a
 * file of that site's, taken into the base at the first round with the URL
 * that turns out to be it ({@link adoptWaitingSettlements}). A server that
 * does not sync with the sender (a star's hub) records nothing.
 * @returns how many peer URLs' bases took the paths (0 when they wait or were not recorded)
 */
export async function recordPeerSettlements(recorder: SettledRecorder, site: string, settled: SettledPaths): Promise<number> {
  const { stateDir } = recorder;
  if (stateDir === undefined) return 0;
  const urls = recorder.peers.filter((url) => recorder.known.get(url)?.site === site);
  for (const url of urls) await FileSyncState.record(fileStateOf(stateDir, url), settled, site);
  if (urls.length === 0 && recorder.handshakes && recorder.peers.some((url) => recorder.known.get(url) === undefined)) {
    const waiting = waitingStateOf(stateDir, site);
    await FileSyncState.record(waiting, settled, site);
  }
  return urls.length;
}

/**
 * Before a round with the peer at `url`, whose handshake said it is `site`:
 * takes in what that site settled with this server before this server knew
 * which peer it was. The waiting file becomes the URL's base when there is
 * none yet (never synced with it); when there is one, it is newer (written
 * by a round or a settlement since the handshake) and the waiting file is
 * dropped. Both steps hold the waiting file's lock, so a settlement being
 * written to it finishes first.
 */
export async function adoptWaitingSettlements(stateDir: string, url: string, site: string | undefined): Promise<void> {
  if (site === undefined || !/^[0-9a-f]{32}$/.test(site)) return;
  const waiting = waitingStateOf(stateDir, site);
  if (!(await exists(waiting))) return;
  const base = fileStateOf(stateDir, url);
  await withFileLock(waiting, async () => {
    if (!(await exists(waiting))) return;
    if (await exists(base)) await rm(waiting, { force: true });
    else await withFileLock(base, () => rename(waiting, base));
  });
}

async function exists(file: string): Promise<boolean> {
  return stat(file).then(
    () => true,
    (error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return false;
      throw error;
    },
  );
}
