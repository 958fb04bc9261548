import { SyncError } from '../sync-error';

/**
 * Refuses to track a table, saying why and what to change.
 * @throws SyncError `CAPTURE_REFUSED` naming the table
 */
export function refuse(table: string, message: string): never {
  throw new SyncError('CAPTURE_REFUSED', 500, `express-sqlite-sync: cannot track table "${table}": ${message}`);
}

/**
 * Says a constraint that includes a generated column cannot be tracked, and how to change it.
 * @throws SyncError `CAPTURE_REFUSED` naming the table, the constraint and the column
 */
export function refuseGenerated(name: string, constraint: string, column: string, fix: string): never {
  refuse(
    name,
    `its ${constraint} includes generated column "${column}": generated columns are not synced (each server computes its own), so the constraint would be checked on other values than the synced ones and servers would diverge; ${fix}`,
  );
}
