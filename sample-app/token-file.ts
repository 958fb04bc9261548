import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { readNamedFile } from './named-files';

/** Where the token came from: `SYNC_TOKEN`, the token file, or generated now (into the file). */
export type TokenSource = 'env' | 'file' | 'generated';

/**
 * True when `<dataDir>/.sync-token` holds a token other than `token` (the one
 * `SYNC_TOKEN` gives): left by a start without `SYNC_TOKEN` (the quick start),
 * it is unused now, but a later start without `SYNC_TOKEN` would use it, and
 * `$(cat data/.sync-token)` sends a token this server refuses. False when
 * there is no such file or it cannot be read (nothing to warn about then).
 */
export function tokenFileDiffers(dataDir: string, token: string): boolean {
  if (notAFile(path.join(dataDir, '.sync-token')) !== undefined) return false; // never opened: a pipe would block the start
  try {
    const kept = readFileSync(path.join(dataDir, '.sync-token'), 'utf8').trim();
    return kept !== '' && kept !== token;
  } catch {
    return false;
  }
}

/**
 * What stands at `file` when it is there but is no file nor folder (a named pipe, a device, a socket: reading
 * one would block the start for good, or read without end from `/dev/zero`), links followed; undefined otherwise.
 */
function notAFile(file: string): string | undefined {
  const stats = statSync(file, { throwIfNoEntry: false });
  if (stats === undefined || stats.isFile() || stats.isDirectory()) return undefined;
  if (stats.isFIFO()) return 'a named pipe';
  return stats.isSocket() ? 'a socket' : 'a device';
}

/**
 * A token a peer can send: characters an HTTP header carries (letters, digits, punctuation). A short
 * one is accepted; the sync router warns about it (16+ characters recommended).
 * @throws RangeError naming where it came from
 */
export function checkToken(token: string, from: string): void {
  const headerSafe = /^[\x21-\x7e]+$/;
  if (headerSafe.test(token)) return;
  if (headerSafe.test(token.trim())) {
    // The usual slip: a token read from a file with its newline (a secret mounted from a file, `SYNC_TOKEN="$(cat f)"` from a file with CRLF).
    const where = /[\r\n]\s*$/.test(token) ? 'ends with a line break (read from a file with its newline?)' : 'starts or ends with a space';
    throw new RangeError(`${from} ${where}: remove it, no Authorization header can carry it`);
  }
  throw new RangeError(`${from} holds a space, a control character or a character outside ASCII, which no Authorization header can carry; use letters, digits and punctuation (for example \`openssl rand -hex 24\`)`);
}

/** True when {@link readToken} would generate a new token and write it: no `SYNC_TOKEN`, and nothing at `<dataDir>/.sync-token`. */
export function tokenToGenerate(env: NodeJS.ProcessEnv, dataDir: string): boolean {
  return (env.SYNC_TOKEN === undefined || env.SYNC_TOKEN === '') && !existsSync(path.join(dataDir, '.sync-token'));
}

/**
 * Token from `SYNC_TOKEN`, or the one stored in `<dataDir>/.sync-token`, created on first start.
 * @throws TypeError for a token file that is empty, saved as UTF-16, in env-file syntax, quoted, or no file (a named pipe, a device), naming it
 */
export function readToken(env: NodeJS.ProcessEnv, dataDir: string): { token: string; source: TokenSource } {
  const fromEnv = env.SYNC_TOKEN;
  if (fromEnv !== undefined && fromEnv !== '') return { token: fromEnv, source: 'env' };
  const file = path.join(dataDir, '.sync-token');
  if (existsSync(file)) {
    const special = notAFile(file);
    if (special !== undefined) throw new TypeError(`DATA_DIR/.sync-token (${file}) is ${special}, not a file: it is never read (it would block the start); move it aside and put the token the other servers use in a file of that name, or set SYNC_TOKEN`);
    const bytes = readNamedFile('DATA_DIR/.sync-token', file);
    // Windows PowerShell 5.1's `echo … > file` and Notepad's "Unicode" write UTF-16 with a byte order mark: read as UTF-8, the token held NULs.
    if ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff)) {
      throw new TypeError(`DATA_DIR/.sync-token (${file}) is saved as UTF-16 (as Windows PowerShell's \`>\` and Notepad's "Unicode" save a file): save it as UTF-8 or ASCII (PowerShell: \`Set-Content -Encoding ascii\`), or set SYNC_TOKEN instead`);
    }
    const token = bytes.toString('utf8').trim();
    if (token === '') throw new TypeError(`DATA_DIR/.sync-token (${file}) is empty: put the token the other servers use in it, or set SYNC_TOKEN, or delete the file for a new token`);
    // An env file's line copied in: its token would be "SYNC_TOKEN=…", one no other server has.
    if (/^(?:export[ \t]+)?SYNC_TOKEN[ \t]*=/m.test(token)) throw new TypeError(`DATA_DIR/.sync-token (${file}) holds a line "SYNC_TOKEN=…" (env-file syntax): the file holds only the token; keep just the value after "SYNC_TOKEN=" in it, or set SYNC_TOKEN instead`);
    // Quotes kept by whatever wrote it (`echo '"…"'`, a copied env-file value): as SYNC_TOKEN="…" is, it is refused, never a token with quotes no other server has.
    if (/^(["']).*\1$/s.test(token)) throw new TypeError(`DATA_DIR/.sync-token (${file}) holds the token wrapped in quotes: the file holds only the token; remove the quotes, or set SYNC_TOKEN instead`);
    return { token, source: 'file' };
  }
  const token = randomBytes(24).toString('hex');
  try {
    writeFileSync(file, `${token}\n`, { mode: 0o600 });
  } catch (error) {
    // A write that failed after the file was made (a full disk) left it empty, and every later start would stop on it.
    try {
      rmSync(file, { force: true });
    } catch {
      // not there, or not ours to remove: the write's error is the one to report
    }
    const code = (error as NodeJS.ErrnoException).code ?? String(error);
    const fix = code === 'ENOSPC' || code === 'EDQUOT' || code === 'EFBIG' ? 'the disk is full (or the file too large for this user\'s limits): free some space, or set SYNC_TOKEN' : 'make DATA_DIR writable by this user, or set SYNC_TOKEN';
    throw new Error(`DATA_DIR=${dataDir}: cannot write the new sync token into DATA_DIR/.sync-token (${code}): ${fix}`, { cause: error });
  }
  return { token, source: 'generated' };
}
