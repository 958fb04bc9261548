import type Database from 'better-sqlite3';
import { SyncError } from '../sync-error';
import { pragmaNumber } from './prepared';
import type { TrackedTable } from './tracked-table';

/**
 * Refuses a replicated write (a peer's page, a conflict resolution) asked for
 * inside a transaction of the caller's own on a connection that enforces
 * foreign keys, when a tracked table has one: SQLite cannot switch
 * `foreign_keys` off inside a transaction, so the merge would run `ON DELETE`
 * / `ON UPDATE` actions on this server only (a child deleted here by a
 * cascade that no capture sees: lost on every server, no conflict listed), or
 * fail on an orphan the rules would park. Nothing has been written yet.
 * @param what - the operation, for the message (`applyChangeset`)
 * @throws SyncError `IN_TRANSACTION` (409)
 */
export function refuseForeignKeysInOpenTransaction(db: Database.Database, tables: Iterable<TrackedTable>, what: string): void {
  if (!db.inTransaction || pragmaNumber(db, 'foreign_keys') !== 1) return;
  const child = [...tables].find((table) => table.foreignKeys.length > 0);
  if (child === undefined) return;
  throw new SyncError(
    'IN_TRANSACTION',
    409,
    `${what} was called inside a transaction of your own on a connection with foreign_keys ON, and "${child.name}" has a foreign key: SQLite cannot switch foreign keys off inside a transaction, so the merge would run ON DELETE / ON UPDATE actions on this server only. Call it once your transaction has ended (nothing was written)`,
  );
}

/**
 * Refuses to serve a peer (a page read for it, a page or a resolution it
 * sent) while the app holds a transaction open on this connection (across an
 * `await`): what is read or written then could still roll back with the app's
 * transaction, so a peer would keep rows this server never committed, or be
 * told a page was applied that then vanished. The peer tries again later.
 * @param what - the operation, for the message (`a page for a peer`)
 * @throws SyncError `IN_TRANSACTION` (409)
 */
export function refuseOpenTransaction(db: Database.Database, what: string): void {
  if (!db.inTransaction) return;
  throw new SyncError(
    'IN_TRANSACTION',
    409,
    `${what} is refused while the app holds a transaction open on the connection sync uses (it could still roll back); try again once it has ended`,
  );
}
