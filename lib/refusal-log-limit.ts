/** Refusal lines logged per caller address and code in one window; more are counted, not logged. */
export const REFUSAL_LINES_PER_WINDOW = 10;

/** The window of {@link REFUSAL_LINES_PER_WINDOW}, in milliseconds (one minute). */
export const REFUSAL_WINDOW_MS = 60_000;

/** Callers (address and code) followed at once; past it, new ones share one window, so a scan of many addresses stays bounded too. */
const MAX_FOLLOWED = 1024;

/** The key that callers past {@link MAX_FOLLOWED} share. */
const OTHERS = '*';

/** What to do with one refusal's log line. */
export type RefusalLineVerdict =
  /** Log it (`request.refused`). */
  | 'log'
  /** Log it, the last of its window: its line says until when the caller's further refusals are left out. */
  | 'log-last'
  /** Leave it out: it is counted, and said in a `request.refused.omitted` line once its window is over. */
  | 'omit';

/** The refusal lines left out of one finished window, for one `request.refused.omitted` line. */
export interface OmittedRefusals {
  /** The caller's address (`*` for callers past the followed limit). */
  readonly from: string;
  /** The refusal code. */
  readonly code: string;
  /** Refusal lines left out. */
  readonly omitted: number;
  /** ISO time the window began. */
  readonly since: string;
}

interface Window {
  readonly from: string;
  readonly code: string;
  readonly start: number;
  logged: number;
  omitted: number;
}

/**
 * Bounds the `request.refused` log lines per caller address and code: the
 * first {@link REFUSAL_LINES_PER_WINDOW} of a minute are logged, the rest
 * only counted, and each finished window that left lines out is reported
 * once (by {@link RefusalLineLimit.finished}, at the next refusal from
 * anyone). A scanner without a token cannot fill the log; the answers, the
 * `/status` refusals and the `/metrics` counts are not limited.
 */
export class RefusalLineLimit {
  readonly #windows = new Map<string, Window>(); // oldest window first
  readonly #now: () => number;

  /** @param now - the clock, in milliseconds (`Date.now` unless a test gives its own) */
  constructor(now: () => number = Date.now) {
    this.#now = now;
  }

  /** The windows that ended with lines left out, each once; ended windows are forgotten. */
  finished(): OmittedRefusals[] {
    const now = this.#now();
    const ended: OmittedRefusals[] = [];
    for (const [key, window] of this.#windows) {
      if (now - window.start < REFUSAL_WINDOW_MS) break; // later ones started later
      this.#windows.delete(key);
      if (window.omitted > 0) ended.push({ from: window.from, code: window.code, omitted: window.omitted, since: new Date(window.start).toISOString() });
    }
    return ended;
  }

  /** Whether to log the line of a refusal from `from` with `code`; call {@link RefusalLineLimit.finished} first. */
  verdict(from: string | undefined, code: string): { readonly verdict: RefusalLineVerdict; readonly until: string } {
    const window = this.#windowOf(from ?? 'unknown', code);
    const until = new Date(window.start + REFUSAL_WINDOW_MS).toISOString();
    if (window.logged < REFUSAL_LINES_PER_WINDOW) {
      window.logged += 1;
      return { verdict: window.logged === REFUSAL_LINES_PER_WINDOW ? 'log-last' : 'log', until };
    }
    window.omitted += 1;
    return { verdict: 'omit', until };
  }

  #windowOf(address: string, code: string): Window {
    const followed = this.#windows.has(`${code} ${address}`) || this.#windows.size < MAX_FOLLOWED;
    const from = followed ? address : OTHERS;
    const key = `${code} ${from}`;
    const found = this.#windows.get(key);
    if (found !== undefined) return found;
    const window: Window = { from, code, start: this.#now(), logged: 0, omitted: 0 };
    this.#windows.set(key, window);
    return window;
  }
}
