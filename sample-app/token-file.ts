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
