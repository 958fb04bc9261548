import type Database from 'better-sqlite3';
import { numbers } from './prepared';
import { CONFLICTS_VIEW } from './conflicts-view';
import { foldName, META_PREFIX, METADATA_TABLE, quoteIdent } from './sql-names';
import { SyncError } from '../sync-error';

/** A table or view of the connection's temp database, as `pragma_table_list` lists it. */
export interface TempObject {
  readonly name: string;
  readonly type: string;
}

/** What a TEMP object named like sync's metadata does, and its fix. */
export interface TempMetadataShadow {
  readonly change: string;
  readonly fix: string;
  /** The `DROP` that removes it. */
  readonly drop: string;
}

/** True for a name SQLite takes for one of sync's metadata tables or its conflicts view (ASCII case folded). */
function isMetadataName(name: string): boolean {
  const folded = foldName(name);
  return METADATA_TABLE.test(folded) || folded === CONFLICTS_VIEW;
}

/**
 * The first TEMP table or view under the name of one of sync's metadata tables (or its conflicts view;
 * SQLite's names match folding ASCII case): sync's own statements name them unqualified, so on this
 * connection they reach the TEMP object first (the fold, the reads, the merges; the capture triggers,
 * permanent, still log to main's). What they write there is gone when the connection closes, and main's
 * metadata misses it for good (a row merged into a TEMP `_sync_rows` is unknown to main's, and a later
 * change to it is refused for ever). Sync's own TEMP tables (`_sync_type_probe`, `_sync_import_…`) are not such names.
 * @param objects - temp's tables and views (read through `pragma_table_list`, which opens no temp database)
 * @param where - where the message says it is
 */
export function tempMetadataShadow(db: Database.Database, objects: readonly TempObject[], where = "made on this server's connection"): TempMetadataShadow | undefined {
  const found = objects.find((object) => isMetadataName(object.name));
  if (found === undefined) return undefined;
  const kind = found.type === 'view' ? 'view' : 'table';
  const drop = `DROP ${kind.toUpperCase()} temp.${quoteIdent(found.name)}`;
  const hidden = numbers(db, "SELECT name FROM pragma_table_list WHERE schema = 'main' AND name = ? COLLATE NOCASE").pluck().get(found.name) as string | undefined;
  return {
    change: `a TEMP ${kind} "${found.name}" ${where} takes the name of sync's metadata ${foldName(found.name) === CONFLICTS_VIEW ? 'view' : 'table'} "${hidden ?? found.name}": sync's own SQL on this connection reaches the TEMP ${kind} (the fold, the reads and the merges), and what it would write there is lost when the connection closes`,
    fix: `sync is stopped so its metadata is not read or written there: drop it (${drop}) or give it a name not starting with ${META_PREFIX}, and sync goes on by itself`,
    drop,
  };
}

/**
 * Refuses to enable capture while the connection has a TEMP table or view named like sync's metadata:
 * capture's own set-up would read and write it.
 * @throws SyncError `CAPTURE_REFUSED` naming it and the `DROP` to run
 */
export function refuseTempMetadata(db: Database.Database): void {
  const objects = numbers(db, "SELECT name, type FROM pragma_table_list WHERE schema = 'temp' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\'").all() as TempObject[];
  const shadow = tempMetadataShadow(db, objects, 'on this connection');
  if (shadow === undefined) return;
  throw new SyncError('CAPTURE_REFUSED', 500, `express-sqlite-sync: cannot enable capture: ${shadow.change}; ${shadow.drop} before enabling capture`);
}
