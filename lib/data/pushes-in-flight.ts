/** How long a pull from a peer waits, at most, for this server's push pages on their way to that peer to land. */
export const PUSH_LANDING_WAIT_MS = 10_000;

/**
 * The request header in which a puller tells how long it waits for an answer (its `peerTimeoutMs`), so a
 * pull waiting for a push page never outlasts it: the wait is at most half of it.
 */
export const PULL_TIMEOUT_HEADER = 'x-sync-timeout-ms';

/**
 * How long a pull may wait for push pages to land: {@link PUSH_LANDING_WAIT_MS}, or half the puller's
 * timeout when it told a shorter one in {@link PULL_TIMEOUT_HEADER} (a value that is no positive integer is
 * passed over: the header is advice, never a reason to refuse the pull).
 */
export function pushLandingWaitMs(header: string | string[] | undefined): number {
  const told = typeof header === 'string' && /^[1-9][0-9]{0,15}$/.test(header) ? Number(header) : undefined;
  return told === undefined ? PUSH_LANDING_WAIT_MS : Math.min(PUSH_LANDING_WAIT_MS, Math.floor(told / 2));
}

/** One page of this server's push on its way to a peer: the seqs `(since, next]`, and whether the peer applied it. */
interface PushPage {
  readonly since: number;
  readonly next: number;
  /** True once the peer answered that it applied the page; false when the push failed. */
  readonly landed: Promise<boolean>;
}

/**
 * The push page on its way to each peer, in memory. When that peer pulls
 * from this server meanwhile, from a cursor inside the page's seqs, its pull
 * waits for the page to land and then starts after it: the page carries the
 * same changes over the same link (without the wait, both carry them, and a
 * burst written on one server crosses each relay link twice when two servers
 * of a link sync at the same time). Should the page not land, the pull starts
 * where it asked, and nothing is passed over.
 */
export class PushesInFlight {
  readonly #pages = new Map<string, PushPage>();

  /**
   * Records a push page sent to `site`, holding this server's seqs `(since, next]`, while `answer` is awaited.
   * @returns `answer` itself: the page counts as landed when it resolves (an apply result the pusher checked), as lost when it rejects
   */
  track<T>(site: string, since: number, next: number, answer: Promise<T>): Promise<T> {
    let settle: (applied: boolean) => void = () => undefined;
    const page: PushPage = { since, next, landed: new Promise<boolean>((resolve) => (settle = resolve)) };
    this.#pages.set(site, page);
    const done = (applied: boolean): void => {
      if (this.#pages.get(site) === page) this.#pages.delete(site);
      settle(applied);
    };
    answer.then(
      () => done(true),
      () => done(false),
    );
    return answer;
  }

  /**
   * Where a pull by `site` from `since` should start: after every push page
   * that holds the seq just after `since` and lands within `waitMs`, else at `since`.
   * @param waiting - told before each wait (the push then gives way before its next page: see `PullingPeers.noteWaiting`)
   */
  async landing(site: string, since: number, waiting: () => void, waitMs = PUSH_LANDING_WAIT_MS): Promise<number> {
    const deadline = Date.now() + waitMs;
    let from = since;
    for (;;) {
      const page = this.#pages.get(site);
      const left = deadline - Date.now();
      if (page === undefined || page.since > from || page.next <= from || left <= 0) return from;
      waiting();
      if (!(await landsWithin(page.landed, left))) return from;
      from = page.next;
    }
  }
}

/** True when `landed` resolves true within `ms`. */
async function landsWithin(landed: Promise<boolean>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  try {
    return await Promise.race([landed, late]);
  } finally {
    clearTimeout(timer);
  }
}
