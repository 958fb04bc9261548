import { SyncError } from '../sync-error';
import { SchemaRefusalError } from './schema-refusal';

/**
 * SQLite's messages for a schema it cannot run, whatever the values written (a name it cannot find, SQL it
 * cannot read or compile, a foreign key to columns that are not a key): this server's fault, still a 500.
 */
const SCHEMA_FAULT = /^no such |syntax error|^foreign key mismatch|^ambiguous column|wrong number of arguments|^unsafe use of|^misuse of|has no column named|^unrecognized token|^incomplete input|^too many SQL variables/;

/** At most this many characters of SQLite's message are quoted. */
const QUOTED_CHARACTERS = 200;

/**
 * SQLite's words (at most 200 characters) when `error` is an expression of the schema failing on
 * the values written (see {@link expressionRefusal}); undefined for any other error.
 */
export function expressionFailure(error: unknown): string | undefined {
  const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown }; // not `instanceof Error`: SqliteError may come from another realm
  if (code !== 'SQLITE_ERROR' || typeof message !== 'string' || SCHEMA_FAULT.test(message)) return undefined;
  return message.length > QUOTED_CHARACTERS ? `${message.slice(0, QUOTED_CHARACTERS)}…` : message;
}

/**
 * The SyncError for a write of another server's values that an expression of this server's
 * schema failed on: SQLite's plain `SQLITE_ERROR` (`malformed JSON` from `json_extract` in a
 * CHECK, a generated column, an index on an expression or an app trigger; `integer overflow`
 * from `abs()`), which depends on the values written. Left as it was, it was answered 500
 * "internal error", and the sender never learnt why. A name SQLite could not find (`no such
 * table`, a trigger naming a table dropped since) or SQL it could not read is this server's own
 * fault: undefined then, as for any other error.
 * @param write - what was written, e.g. `a change to teams ["t1"] from another server`
 */
export function expressionRefusal(error: unknown, write: string): SchemaRefusalError | undefined {
  const said = expressionFailure(error);
  if (said === undefined) return undefined;
  return new SchemaRefusalError(
    `${write} could not be written here: SQLite says ${JSON.stringify(said)}, an expression of this server's schema (a CHECK, a generated column, an index on an expression, an app trigger) failing on its values. The sending server stored them, so its schema (or its SQLite version, for JSON functions) differs from this one: declare the tables the same on every server, or change the value there. Nothing of this page was applied`,
    error,
  );
}

/**
 * The SyncError for rows of a peer's snapshot that an expression of this server's schema fails on as
 * they are copied in (see {@link expressionRefusal}): the snapshot does not fit this server, as one of
 * another schema does not. Before, SQLite's own error (`malformed JSON`) ended the join as it was.
 * @param table - the table whose rows were copied
 */
export function snapshotExpressionRefusal(error: unknown, table: string): SyncError | undefined {
  const said = expressionFailure(error);
  if (said === undefined) return undefined;
  return new SyncError(
    'SNAPSHOT_MISMATCH',
    502,
    `the rows of ${table} in the peer's snapshot do not fit this server's schema: SQLite says ${JSON.stringify(said)}, an expression of it (a CHECK, a generated column, an index on an expression, an app trigger) failing on their values. Declare the tables the same on every server (and use the same SQLite version, for JSON functions), or change the value there. Nothing of the snapshot was imported`,
    { cause: error },
  );
}
