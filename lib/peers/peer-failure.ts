import { shellWord } from '../shell-word';
import { SyncError } from '../sync-error';
import { PeerAnswerError } from './peer-answer';
import { UNREACHABLE_CODES, UNTRUSTED_CERTIFICATE_CODES, WRONG_HOST_CERTIFICATE_CODE } from './failure-codes';

/** A failed sync, as results, logs and the status page show it. */
export interface FailureDescription {
  readonly code: string;
  readonly message: string;
}

/** Where a sync with a peer failed, for hints that depend on the direction. */
export type SyncPhase = 'handshake' | 'pull' | 'push' | 'files';

/** What the client knew when the failure happened. */
export interface FailureContext {
  readonly peer: string;
  readonly phase: SyncPhase;
  /** The peer's clock minus ours, ms, measured by this round's handshake. */
  readonly clockSkewMs: number | undefined;
  /**
   * For `DATA_OFF`: true when the round synced the files with the peer all the same (it answered `GET /files/info`),
   * false when it left them (a peer of an older version); undefined when not known.
   */
  readonly filesSynced?: boolean;
}

/**
 * The fix for {@link WRONG_HOST_CERTIFICATE_CODE}: reach the peer by a name its
 * certificate holds (listed when Node's error carries the certificate), or use a
 * certificate that names the address used.
 */
export function wrongHostFix(error: unknown): string {
  const cert = (error as { cert?: { subjectaltname?: unknown; subject?: { CN?: unknown } } } | null | undefined)?.cert;
  const names =
    typeof cert?.subjectaltname === 'string'
      ? cert.subjectaltname.split(/,\s*/).map((name) => name.replace(/^(DNS|IP Address):/, ''))
      : typeof cert?.subject?.CN === 'string'
        ? [cert.subject.CN]
        : [];
  // eslint-disable-next-line no-control-regex
  const shown = names.slice(0, 10).map((name) => name.replace(/[\u0000-\u001f\u007f-\u009f]/g, '?').slice(0, 100));
  const known = shown.length === 0 ? '' : ` (the names are ${shown.join(', ')})`;
  return `reach the peer by a name its certificate holds${known} or use a certificate that names this address`;
}

/** Below this handshake skew, a `CLOCK_SKEW` refusal cannot be about the clocks running now. */
export const SMALL_SKEW_MS = 10_000;

/**
 * A failure's code and message as they are: a SyncError's code, Node's
 * (`ECONNREFUSED`, a certificate's), `PEER_TIMEOUT` for a request that got no
 * answer or data in time (or too little: a link that drips), else `SYNC_FAILED`.
 */
export function rawFailure(error: unknown): FailureDescription {
  if (error instanceof SyncError) return { code: error.code, message: error.message };
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  // Node's own errors may come from another realm (a worker, a VM): not `instanceof Error`, yet with a message.
  const own = (error as { message?: unknown } | null | undefined)?.message;
  const message = error instanceof Error ? error.message : typeof own === 'string' ? own : String(error);
  if (typeof code === 'string') return { code, message };
  // PeerHttp's own timeouts carry no code (a silent answer, or one that drips).
  return { code: /(no|too little) (answer|data) for \d+ ms/.test(message) ? 'PEER_TIMEOUT' : 'SYNC_FAILED', message };
}

/**
 * True for a failure whose answer had begun when the connection was lost
 * (Node's `aborted` of a response, or a failure caused by one): the server was
 * reached and answered, so "is it running?" or "does it speak HTTPS?" would
 * mislead.
 */
export function isAnswerCutOff(error: unknown): boolean {
  let current = error;
  for (let depth = 0; depth < 5 && typeof current === 'object' && current !== null; depth += 1) {
    const { code, message, cause } = current as { code?: unknown; message?: unknown; cause?: unknown };
    if (code === 'ECONNRESET' && message === 'aborted') return true;
    current = cause;
  }
  return false;
}

/**
 * True for Node's error when a TLS client got an answer that is no TLS record
 * (OpenSSL's "wrong version number"): an `https://` URL to a server that
 * speaks plain HTTP.
 */
export function isPlainHttpAnswer(code: string, message: string): boolean {
  return code === 'EPROTO' && /wrong version number|packet length too long|http request/i.test(message);
}

/** Node's message without the code it starts with (`ENOENT: no such file…`): results show the code beside it. */
function withoutCode(code: string, message: string): string {
  return message.startsWith(`${code}: `) ? message.slice(code.length + 2) : message;
}

/**
 * A file or folder of this server missing while it syncs files (a sync root's
 * folder removed or renamed), named with the fix.
 */
function missingHere(error: unknown, message: string): string {
  const where = (error as NodeJS.ErrnoException | undefined)?.path;
  if (typeof where !== 'string') return message;
  return `${where} does not exist on this server; if it is a sync root's folder, create it (mkdir -p ${shellWord(where)})`;
}

function clockSkewHint(context: FailureContext): string | undefined {
  if (context.clockSkewMs === undefined) return undefined;
  if (Math.abs(context.clockSkewMs) >= SMALL_SKEW_MS) {
    const seconds = Math.round(Math.abs(context.clockSkewMs) / 1000);
    return `The handshake measured ${context.peer}'s clock ${seconds} s ${context.clockSkewMs > 0 ? 'ahead of' : 'behind'} this server's: fix whichever of the two is wrong (NTP) on that machine.`;
  }
  const holder = context.phase === 'push' ? "this server's database holds" : "the peer's database holds";
  return (
    `The clocks agree now (the handshake measured ${Math.round(context.clockSkewMs)} ms between them), so the stamps refused are stored ones: ` +
    `${holder} changes written while its clock was ahead, since corrected. They are accepted once real time reaches them; ` +
    `to accept them sooner, raise maxClockSkewMs on ${context.phase === 'push' ? 'the peer' : 'this server'} (SYNC_MAX_CLOCK_SKEW_MS in the sample app); ` +
    'writes made meanwhile by the server whose clock was ahead are stamped past those clocks too, and wait as long.'
  );
}

/**
 * The fix for a peer URL whose server has no sync API there (a 404 to the
 * handshake): a path typed wrong, `…/api` or `…/sync` for `…/api/sync`.
 */
export function notASyncApiHint(url: string): string {
  return `Is ${url} the peer's sync API? Its URL is usually http://host:port/api/sync, or just http://host:port (SYNC_PEERS in the sample app)`;
}

/**
 * SQLite refused to write this server's own database while it applied a peer's changes (a peer's
 * refusal comes as its own code, `INSUFFICIENT_STORAGE` or `STORAGE_NOT_WRITABLE`): SQLite's words,
 * "database or disk is full" (or "disk I/O error" for a write refused at a file size limit), did not say whose,
 * so an operator looked at the peer's disk.
 */
function localDatabaseRefused(code: string, message: string): string {
  const causes: Record<string, string> = {
    SQLITE_FULL: 'cannot grow (its disk is full, or its max_page_count is reached)',
    SQLITE_IOERR_WRITE: "cannot grow (its file system refused a write: a file size limit such as `ulimit -f` or the file system's largest file, or a failing disk)",
  };
  const cause = causes[code] ?? 'is read-only (a read-only file, folder or disk)';
  const fix = code === 'SQLITE_FULL' ? 'free space on this server' : code === 'SQLITE_IOERR_WRITE' ? "raise this server's file size limit or look at its disk" : 'make it writable on this server and restart it';
  return `this server's own database ${cause}: ${message}; nothing of this page was applied. ${fix}; the sync is retried`;
}

/**
 * Another connection (a script, a migration, the sqlite3 shell) held this server's own database's write lock past
 * its busy timeout while the round folded or applied: SQLite's words, "database is locked", did not say whose
 * (a locked peer answers `DATABASE_BUSY`, naming itself).
 */
function localDatabaseBusy(message: string): string {
  return `this server's own database is locked by another connection (a script, a migration, the sqlite3 shell holding a write transaction): ${message}; the step that met it changed nothing. End that transaction; the sync is retried`;
}

/**
 * For a connection refused at a URL that names no port (`http://10.0.0.2`, where the port was left
 * out): which port was tried and how to give another; undefined for a URL with its port.
 * @param who - what listens at the URL, as the message names it (`the peer`, `the server`)
 */
export function defaultPortHint(url: string, who = 'the peer'): string | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url.trim());
  } catch {
    return undefined;
  }
  if (parsed.port !== '' || (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')) return undefined;
  const scheme = parsed.protocol.slice(0, -1);
  return `no port in its URL, so ${scheme}'s ${scheme === 'https' ? 443 : 80} was tried: if ${who} listens on another (the sample app's PORT, 5000 by default), add it, as in ${scheme}://${parsed.host}:5000`;
}

/**
 * What a peer that could not be reached may need: `https://` for an `http://` URL whose connection was closed
 * before any answer (what an HTTPS server does with a plain request: the peer was reached, not down), the port
 * for a connection refused at a URL that names none.
 */
function unreachableHint(error: unknown, code: string, peer: string): string | undefined {
  if (code === 'ECONNRESET' && peer.startsWith('http://') && !isAnswerCutOff(error)) {
    return 'if it serves HTTPS, use https:// in its URL (SYNC_PEERS in the sample app): an HTTPS server closes a plain http:// request so';
  }
  return code === 'ECONNREFUSED' ? defaultPortHint(peer) : undefined;
}

/**
 * Describes a failed sync with the hint an operator needs: the option that
 * trusts a self-signed peer, the names a certificate for another host holds, a URL that is not a
 * peer's sync API, a token that does not match, a peer that is
 * unreachable, an answer that is not HTTP (Node's `HPE_*` parser codes, as
 * `PEER_BAD_ANSWER`), an `https://` peer that speaks plain HTTP (and an `http://` one whose connection was closed
 * before any answer, as an HTTPS server closes a plain request; a refused one whose URL names no port), a file or folder of
 * this server missing while files sync (a sync root's folder removed), or a
 * clock refusal whose cause is stamps stored while a clock was wrong (the
 * handshake shows the clocks agree now), or this server's own database full, read-only or locked by another connection. Node's message loses the code it
 * starts with (`ENOENT: …`): the code is given beside it.
 */
export function describeFailure(error: unknown, context: FailureContext): FailureDescription {
  const { code, message } = rawFailure(error);
  if (UNTRUSTED_CERTIFICATE_CODES.has(code)) {
    return {
      code,
      message: `${context.peer}: its TLS certificate is not trusted (${message}). If the peer uses a self-signed certificate, give its CA certificate as \`peerCa\` (SYNC_PEER_CA=<file> in the sample app).`,
    };
  }
  if (code === WRONG_HOST_CERTIFICATE_CODE) {
    return { code, message: `${context.peer}: its TLS certificate does not name this host (${message}); ${wrongHostFix(error)}, in the peer URL (SYNC_PEERS in the sample app).` };
  }
  if (code === 'UNAUTHORIZED') {
    return { code, message: `${context.peer} refused this server's token: give both servers the same token (\`token\`, SYNC_TOKEN in the sample app). ${message}` };
  }
  if (code === 'DATA_OFF') {
    // The URL is the peer's sync API (its files sync there); the peer has no database: asking whether the URL is right misled.
    if (context.filesSynced === true) {
      return { code, message: `${context.peer}: ${withoutCode(code, message)}. Its files sync with this server's all the same; to sync data with it too, give that server the same database and tables as this one` };
    }
    const fix = `${context.peer}: ${withoutCode(code, message)}. Give that server the same database and tables as this one, or take it out of this server's peers (SYNC_PEERS in the sample app)`;
    if (context.filesSynced === undefined) return { code, message: fix };
    return { code, message: `${fix}: that server is of an older version, which keeps no identity for its file sync, so this server's rounds move no file with it; to sync files with it, list this server among its peers instead (its own rounds sync the files both ways), or update it` };
  }
  if (context.phase === 'handshake' && error instanceof SyncError && (error.status === 404 || error.status === 405)) {
    return { code, message: `${message}. ${notASyncApiHint(context.peer)}` };
  }
  if (UNREACHABLE_CODES.has(code)) {
    const hint = unreachableHint(error, code, context.peer);
    return { code, message: `${context.peer} is unreachable (${message}); ${hint === undefined ? 'it' : `${hint}. It`} is retried with backoff while periodic syncs run` };
  }
  if (code.startsWith('HPE_')) {
    // Node's HTTP parser refused the answer's bytes: garbled on the way, not a peer's error of its own.
    return { code: 'PEER_BAD_ANSWER', message: `${context.peer} answered something that is not HTTP (${withoutCode(code, message)}): a device between the servers (a proxy, a captive portal) or a broken link garbled it; it is retried with backoff while periodic syncs run` };
  }
  if (isPlainHttpAnswer(code, message)) {
    return { code, message: `${context.peer} did not answer in TLS (${message.trim()}): the peer answered in plain HTTP? use http:// in its URL (SYNC_PEERS in the sample app)` };
  }
  if (code === 'ENOENT' && context.phase === 'files') return { code, message: missingHere(error, withoutCode(code, message)) };
  if (code === 'SQLITE_FULL' || code === 'SQLITE_IOERR_WRITE' || code.startsWith('SQLITE_READONLY')) return { code, message: localDatabaseRefused(code, message) };
  if (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED')) return { code, message: localDatabaseBusy(message) };
  if (code === 'SCHEMA_CHANGED' && error instanceof PeerAnswerError) {
    // The peer's own words say "this server" of the peer: an operator reading them here must not restart this one.
    return { code, message: `${context.peer} stopped its data sync: a tracked table changed there while it runs; restart that server, not this one, once the same migration runs on every server (it said: ${withoutCode(code, message)})` };
  }
  if (code === 'CLOCK_SKEW') {
    const hint = clockSkewHint(context);
    // A refused push: the peer's words say "this server" of the peer, and the hint after them says it of this one.
    const words = error instanceof PeerAnswerError ? `${context.peer} refused this server's changes as clocked too far in its future (it said: ${withoutCode(code, message)})` : message;
    return hint === undefined ? { code, message: words } : { code, message: `${words}. ${hint}` };
  }
  return { code, message: withoutCode(code, message) };
}
