/** Node's codes for a connection that never reached an express-sqlite-sync server. */
export const UNREACHABLE_CODES: ReadonlySet<string> = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'EHOSTDOWN',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EPIPE',
  'PEER_TIMEOUT',
]);

/**
 * The {@link UNREACHABLE_CODES} of a peer gone silent (no answer, or no data, for a whole
 * timeout): unlike a connection cut or refused, which fails at once, another request to it
 * would likely wait as long again.
 */
export const SILENT_PEER_CODES: ReadonlySet<string> = new Set(['PEER_TIMEOUT', 'ETIMEDOUT']);

/** Node's codes for a TLS certificate it does not trust. */
export const UNTRUSTED_CERTIFICATE_CODES: ReadonlySet<string> = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_UNTRUSTED',
  'CERT_SIGNATURE_FAILURE',
]);

/** Node's code for a trusted certificate that names other hosts than the one in the URL: no CA fixes it. */
export const WRONG_HOST_CERTIFICATE_CODE = 'ERR_TLS_CERT_ALTNAME_INVALID';

/**
 * File errors that do not heal by themselves at the next round: a file or folder this server or the peer may
 * not read or write (EACCES, EPERM, a read-only disk, the peer's 507 `STORAGE_NOT_WRITABLE`, a 403
 * `FILE_UNREADABLE` listing or download), a full disk (ENOSPC, EDQUOT, the peer's 507 `INSUFFICIENT_STORAGE`), a file size limit (EFBIG), or a
 * clash in a folder too deep for its conflict copy's name (`CONFLICT_COPY_TOO_LONG`), or a folder holding files on
 * one side where the other has a file of its name (`PATH_CONFLICT`: until someone renames one); likewise a file over
 * the peer's `maxUploadBytes` (its 413 `FILE_TOO_LARGE`), and a database on one side where the other has a file of its
 * name (`DB_CONTENT_REFUSED`, here or from the peer; `DB_FILE_REFUSED` from a peer whose own patterns refuse the name).
 * A round with one fails with it: the peer is not `ok`; its data part went through all the same, so its next
 * round comes at the interval, without backoff.
 */
export const STORAGE_FAILURE_CODES: ReadonlySet<string> = new Set([
  'EACCES',
  'EPERM',
  'EROFS',
  'ENOSPC',
  'EDQUOT',
  'EFBIG',
  'STORAGE_NOT_WRITABLE',
  'INSUFFICIENT_STORAGE',
  'FILE_UNREADABLE',
  'CONFLICT_COPY_TOO_LONG',
  'PATH_CONFLICT',
  'FILE_TOO_LARGE',
  'DB_CONTENT_REFUSED',
  'DB_FILE_REFUSED',
]);

/**
 * A root's failure as a whole that no retry sooner heals either, while the round's data went through: the peer listed
 * a file this server's database guard refuses (502 `PEER_LISTED_DATABASE`: that root's listing is refused until the
 * file goes or the patterns agree), or a sync root's folder is missing, on the peer (its 409 `ROOT_MISSING`) or here
 * (`ENOENT` for the root as a whole: a file gone during its own step is a step's error, retried). As
 * with {@link STORAGE_FAILURE_CODES}, the round fails with it and its next round comes at the interval, without backoff.
 */
export const LASTING_ROOT_FAILURE_CODES: ReadonlySet<string> = new Set(['PEER_LISTED_DATABASE', 'ROOT_MISSING', 'ENOENT']);

/** How a peer is doing, in one word for the status page, `/status` and the CLI. */
export type PeerState = 'syncing' | 'ok' | 'never-synced' | 'unreachable' | 'wrong-token' | 'failing';

/** Classifies a peer from its schedule and last failure code. */
export function peerStateOf(running: boolean, lastSuccessAt: number | undefined, failureCode: string | undefined): PeerState {
  if (running) return 'syncing';
  if (failureCode === undefined) return lastSuccessAt === undefined ? 'never-synced' : 'ok';
  if (failureCode === 'UNAUTHORIZED') return 'wrong-token';
  return UNREACHABLE_CODES.has(failureCode) ? 'unreachable' : 'failing';
}
