import { statSync } from 'node:fs';
import type Database from 'better-sqlite3';
import { numbers } from './prepared';
import { openedName } from './opened-name';

/**
 * The identity of a database's file: its birth time, in ns. It stays while
 * the file is written, renamed, moved on one disk or its filesystem
 * remounted (inode numbers may not), and is new for a copy (`cp` to a new
 * file, a data folder copied to another laptop, a backup restored as a new
 * file). Undefined when it cannot be told: a database in memory, a file that
 * cannot be read, or a platform that gives no true birth time (Node then
 * reports 0, or the change time — which moves with every write).
 */
export function fileIdentity(db: Database.Database): string | undefined {
  if (db.memory) return undefined;
  try {
    const stat = statSync(openedName(db), { bigint: true });
    if (stat.birthtimeNs === 0n || stat.birthtimeNs === stat.ctimeNs) return undefined;
    return `birth:${stat.birthtimeNs}`;
  } catch {
    return undefined;
  }
}

/** The file identity the site id was last used in (`_sync_state.file_id`), or undefined when none was recorded. */
export function recordedFileIdentity(db: Database.Database): string | undefined {
  return (numbers(db, 'SELECT file_id FROM _sync_state WHERE id = 1').pluck().get() as string | null | undefined) ?? undefined;
}

/** Records the file identity the site id is used in (undefined: forget it, so the next start records it). Call inside a write transaction. */
export function recordFileIdentity(db: Database.Database, identity: string | undefined): void {
  numbers(db, 'UPDATE _sync_state SET file_id = ? WHERE id = 1').run(identity ?? null);
}
