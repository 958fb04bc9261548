import { DEFAULTS } from '../lib/defaults';
import { quotedName } from '../lib/files/database-refusal';
import { createFilePolicy, type FilePolicy } from '../lib/files/file-policy';
import { resolveSyncRoots } from '../lib/files/sync-roots';
import { booleanOption, positiveInteger, refuseUnknownOptions } from '../lib/option-checks';
import { resolveLogger, type SyncLogger } from '../lib/logger';
import { SyncError } from '../lib/sync-error';
import type { DrainLimits } from './lingering-close';

/** Options of `uploadGuard`. */
export interface UploadGuardOptions extends Partial<DrainLimits> {
  /**
   * Where uploads may go: root name to directory (missing ones are created),
   * or the map `resolveSyncRoots` returns.
   */
  readonly roots: Readonly<Record<string, string>> | ReadonlyMap<string, string>;
  /** Root that receives an upload sent without `?path=`. @defaultValue the first root */
  readonly uploadRoot?: string;
  /** The database-file policy. @defaultValue `createFilePolicy()` */
  readonly policy?: FilePolicy;
  /** Largest file accepted, in bytes. @defaultValue `DEFAULTS.maxUploadBytes` */
  readonly maxUploadBytes?: number;
  /**
   * Pass a refusal to `next(error)` instead of answering it: for an app whose
   * error middleware (e.g. `syncErrorHandler`) answers and logs errors. Without
   * such a middleware, Express's default handler would answer HTML and read the
   * whole refused body. @defaultValue `false`: the guard answers
   * `{ "error": { "code", "message" } }` itself
   */
  readonly passErrors?: boolean;
  /**
   * The name an upload sent without `?path=` is stored under, from the file's
   * own name as the client sent it (already refused when it names a database):
   * an app that keeps files under names it makes safe (`Robot "arm"?.JPG` →
   * `Robot-arm.jpg`) gives that function, so that a name only the client's
   * file has is not refused as a path. It may throw a `SyncError` to refuse the
   * file before a byte of it is stored. @defaultValue the name as sent (400 `BAD_PATH` when it holds U+FFFD:
   * bytes that were not UTF-8)
   */
  readonly fileName?: (originalName: string) => string;
  /**
   * Milliseconds an upload may bring no byte before its connection is cut
   * and its partial temp file removed (a sender whose link went half-open).
   * @defaultValue `DEFAULTS.uploadStallMs` (60000)
   */
  readonly uploadStallMs?: number;
  /**
   * Where an upload cut for stalling is told (`upload.abandoned`, a warning).
   * @defaultValue none: the cut is not logged (the router passes its own logger)
   */
  readonly logger?: SyncLogger;
}

/** Every option of the guard: anything else is a typo. */
const KNOWN_OPTIONS: ReadonlySet<string> = new Set(['roots', 'uploadRoot', 'policy', 'maxUploadBytes', 'passErrors', 'fileName', 'refusedBodyDrainBytes', 'refusedBodyDrainMs', 'uploadStallMs', 'logger']);

/** {@link UploadGuardOptions} resolved once (by {@link resolveUploadGuardOptions}). */
export interface UploadGuardConfig extends DrainLimits {
  readonly roots: ReadonlyMap<string, string>;
  readonly uploadRoot: string;
  readonly policy: FilePolicy;
  readonly maxUploadBytes: number;
  readonly passErrors: boolean;
  readonly uploadStallMs: number;
  readonly fileName: (originalName: string) => string;
  readonly logger: SyncLogger | undefined;
}

/**
 * The policy given, checked: a policy that is not one would throw inside the parser at the first upload.
 * @throws TypeError naming `policy`
 */
function checkPolicy(policy: unknown): FilePolicy {
  if (policy === undefined) return createFilePolicy();
  const candidate = policy as Partial<FilePolicy> | null;
  if (typeof candidate !== 'object' || candidate === null || typeof candidate.isDatabaseName !== 'function' || typeof candidate.isDatabaseContent !== 'function') {
    throw new TypeError('express-sqlite-sync: `policy` must be a file policy with isDatabaseName() and isDatabaseContent(), as createFilePolicy() returns');
  }
  return candidate as FilePolicy;
}

/**
 * The default `fileName`: the name as the client sent it, unless it holds U+FFFD. The multipart parser
 * reads a name as UTF-8 and makes each byte that is not (`café` sent in Latin-1) U+FFFD: the file was
 * stored as `caf\ufffd.txt`, a name its sender never gave, where a `?path=` with such bytes is refused.
 * @throws SyncError `BAD_PATH` (400)
 */
function nameAsSent(originalName: string): string {
  if (!originalName.includes('\ufffd')) return originalName;
  throw new SyncError('BAD_PATH', 400, `bad path: the file name ${quotedName(originalName)} is not UTF-8 (its other bytes read as U+FFFD, the replacement character): send the name in UTF-8, or name the target with ?path=`);
}

/**
 * `fileName`, checked: a value that is not a function would throw inside the parser at the first upload.
 * @throws TypeError naming `fileName`
 */
function checkFileName(fileName: unknown): (originalName: string) => string {
  if (fileName === undefined) return nameAsSent;
  if (typeof fileName !== 'function') throw new TypeError('express-sqlite-sync: `fileName` must be a function from the uploaded file\'s name to the name to store it under');
  return fileName as (originalName: string) => string;
}

/**
 * Checks the guard's options once, when it is built, and applies the defaults.
 * @throws TypeError for a missing `roots`, an unknown option, a `policy` that is not one or a `fileName` that is no function; RangeError for an `uploadRoot` that is not a root, or a number out of range
 */
export function resolveUploadGuardOptions(options: UploadGuardOptions): UploadGuardConfig {
  if (typeof options !== 'object' || options === null) throw new TypeError('express-sqlite-sync: uploadGuard needs an options object with `roots`');
  refuseUnknownOptions(options, KNOWN_OPTIONS, 'uploadGuard');
  if (typeof options.roots !== 'object' || options.roots === null) throw new TypeError('express-sqlite-sync: uploadGuard needs `roots`: root name to directory');
  const roots = options.roots instanceof Map ? options.roots : resolveSyncRoots(options.roots);
  const uploadRoot = options.uploadRoot ?? [...roots.keys()][0] ?? '';
  if (roots.size > 0 && !roots.has(uploadRoot)) throw new RangeError(`express-sqlite-sync: \`uploadRoot\` ${JSON.stringify(uploadRoot)} is not one of the roots`);
  return {
    roots,
    uploadRoot,
    policy: checkPolicy(options.policy),
    maxUploadBytes: positiveInteger(options.maxUploadBytes, 'maxUploadBytes', DEFAULTS.maxUploadBytes),
    passErrors: booleanOption(options.passErrors, 'passErrors', false),
    uploadStallMs: positiveInteger(options.uploadStallMs, 'uploadStallMs', DEFAULTS.uploadStallMs),
    fileName: checkFileName(options.fileName),
    logger: options.logger === undefined ? undefined : resolveLogger(options.logger),
    refusedBodyDrainBytes: positiveInteger(options.refusedBodyDrainBytes, 'refusedBodyDrainBytes', DEFAULTS.refusedBodyDrainBytes),
    refusedBodyDrainMs: positiveInteger(options.refusedBodyDrainMs, 'refusedBodyDrainMs', DEFAULTS.refusedBodyDrainMs),
  };
}
