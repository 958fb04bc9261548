/**
 * The one error type of express-sqlite-sync. `code` is stable and documented in
 * docs/API.md; `status` is the HTTP status the router answers with; `message`
 * says what went wrong and how to fix it, and never holds a stack trace.
 */
export class SyncError extends Error {
  /** A stable, machine-readable code such as `DB_FILE_REFUSED`. */
  readonly code: string;
  /** The HTTP status an Express router answers with. */
  readonly status: number;

  /**
   * @param code - stable machine-readable code
   * @param status - HTTP status (4xx for the client's fault, 5xx for ours)
   * @param message - a sentence a user can act on
   * @param options - `cause`, kept for logs only
   */
  constructor(code: string, status: number, message: string, options?: { readonly cause?: unknown }) {
    super(message, options);
    this.name = 'SyncError';
    this.code = code;
    this.status = status;
  }
}

/**
 * A body refused because it is larger than its reader's limit (on the wire or
 * once inflated): a smaller one may pass, which a puller uses to ask for a
 * smaller page. Code and status are the refusal's own.
 */
export class TooLargeError extends SyncError {
  /** The limit the body went over, in bytes. */
  readonly limitBytes: number;

  /**
   * @param code - stable machine-readable code
   * @param status - HTTP status
   * @param message - a sentence a user can act on
   * @param limitBytes - the limit the body went over
   */
  constructor(code: string, status: number, message: string, limitBytes: number) {
    super(code, status, message);
    this.name = 'TooLargeError';
    this.limitBytes = limitBytes;
  }
}
