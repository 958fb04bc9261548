/** A request this server refused (401, 403, 409, 413, 422), as `/status` lists them. */
export interface Refusal {
  /** ISO time. */
  readonly at: string;
  readonly status: number;
  readonly code: string;
  readonly method: string;
  /** The path, without the query string; cut after {@link REFUSAL_PATH_CHARS} characters (see {@link refusalPath}). */
  readonly path: string;
  /** The caller's address. */
  readonly from: string | undefined;
}

/** Statuses that are refusals worth an operator's attention (a wrong token, a database, a schema, a clock, a size). */
export const REFUSAL_STATUSES: ReadonlySet<number> = new Set([401, 403, 409, 413, 422]);

/** Most characters of a refused request's path kept in a refusal (its log line, `/status`). */
export const REFUSAL_PATH_CHARS = 300;

/**
 * A refused request's path as a refusal keeps it: whole up to {@link REFUSAL_PATH_CHARS} characters, else cut
 * there and ended with `…`. A caller without a token sends paths of up to 14 KiB: kept whole, 50 of them made
 * `/status` (which the status page reads every few seconds) 700 KB, and each log line as long.
 */
export function refusalPath(path: string): string {
  const characters = Array.from(path);
  return characters.length <= REFUSAL_PATH_CHARS ? path : `${characters.slice(0, REFUSAL_PATH_CHARS).join('')}…`;
}

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
