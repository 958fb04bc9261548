import { SyncError } from '../sync-error';

/**
 * `INVALID_VALUE` (400) for a value its sender stored that this server's own schema refuses: a column
 * (`NOT NULL`, `STRICT`) or an expression (a CHECK, a generated column, an index on an expression, an app
 * trigger: see `expressionRefusal`). Unlike a value no server could store (a NaN, an `$int` beyond 64 bits),
 * the same page applies once this server's schema is declared as the sender's, so a transport that cannot ask
 * for it again (a NATS stream message) must hold its sender rather than pass it over.
 */
export class SchemaRefusalError extends SyncError {
  /**
   * @param message - what was refused, SQLite's words and the fix
   * @param cause - SQLite's error, kept for logs only
   */
  constructor(message: string, cause: unknown) {
    super('INVALID_VALUE', 400, message, { cause });
  }
}
