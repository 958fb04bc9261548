/** A request this server refused (401, 403, 409, 413, 422), as `/status` lists them. */
export interface Refusal {
  /** ISO time. */
  readonly at: string;
  readonly status: number;
  readonly code: string;
  readonly method: string;
  /** The path, without the query string. */
  readonly path: string;
  /** The caller's address. */
  readonly from: string | undefined;
}

/** Statuses that are refusals worth an operator's attention (a wrong token, a database, a schema, a clock, a size). */
export const REFUSAL_STATUSES: ReadonlySet<number> = new Set([401, 403, 409, 413, 422]);

/** Refusals kept for `/status`. */
const KEPT = 50;

/**
 * The requests this server refused lately, newest first, and a count per
 * status and code since start (for `/metrics`).
 */
export class RefusalLog {
  readonly #recent: Refusal[] = [];
  readonly #counts = new Map<string, { readonly status: number; readonly code: string; count: number }>();

  /** Records a refusal. */
  record(refusal: Refusal): void {
    this.#recent.unshift(refusal);
    this.#recent.splice(KEPT);
    const key = `${refusal.status} ${refusal.code}`;
    const count = this.#counts.get(key) ?? { status: refusal.status, code: refusal.code, count: 0 };
    count.count += 1;
    this.#counts.set(key, count);
  }

  /** The latest refusals, newest first. */
  recent(): Refusal[] {
    return [...this.#recent];
  }

  /** Refusals since start, per status and code. */
  counts(): Array<{ readonly status: number; readonly code: string; readonly count: number }> {
    return [...this.#counts.values()].map((entry) => ({ ...entry }));
  }
}
