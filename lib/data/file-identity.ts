import { statSync } from 'node:fs';
import type Database from 'better-sqlite3';
import { numbers } from './prepared';

/**
 * The identity of a database's file: its inode and birth time. They stay
 * while the file is renamed or moved on one disk, and are new for a copy
 * (`cp` to a new file, a backup restored as a new file, a data folder copied
 * to another laptop). Undefined for a database in memory, or a file that
 * cannot be read.
 */
export function fileIdentity(db: Database.Database): string | undefined {
  if (db.memory) return undefined;
  try {
    const stat = statSync(db.name, { bigint: true });
    return `${stat.ino}:${stat.birthtimeNs}`;
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
