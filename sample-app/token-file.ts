import { readFileSync } from 'node:fs';
import path from 'node:path';

/**
 * True when `<dataDir>/.sync-token` holds a token other than `token` (the one
 * `SYNC_TOKEN` gives): left by a start without `SYNC_TOKEN` (the quick start),
 * it is unused now, but a later start without `SYNC_TOKEN` would use it, and
 * `$(cat data/.sync-token)` sends a token this server refuses. False when
 * there is no such file or it cannot be read (nothing to warn about then).
 */
export function tokenFileDiffers(dataDir: string, token: string): boolean {
  try {
    const kept = readFileSync(path.join(dataDir, '.sync-token'), 'utf8').trim();
    return kept !== '' && kept !== token;
  } catch {
    return false;
  }
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
