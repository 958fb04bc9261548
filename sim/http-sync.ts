import { DEFAULTS } from '../lib/defaults';
import { changeCount, type AnyChangeset } from '../lib/data/change-tracker';
import { COMPACT_PROTOCOL } from '../lib/data/compact-schema';
import { nextDelayMs } from '../lib/peers/scheduler';
import type { Fleet, SimServer } from './fleet';
import type { Convergence } from './measure';

/** Request line and headers, both ways, per HTTP request. */
const OVERHEAD_BYTES = 400;
const PAGE_SIZE = DEFAULTS.syncPageSize;

/** One server's polling of one peer (the sync client's per-peer schedule). */
interface Link {
  readonly r: SimServer;
  readonly p: SimServer;
  failures: number;
}

/**
 * HTTP peers as the sync client runs them: every poll interval each server
 * syncs with each of its peers: a handshake (`GET /data/info`, which moves the
 * push cursor up to what the peer already pulled), compact pages pulled
 * until the peer has no more (each applied with its cursor), then its own
 * pages pushed (`POST /data/changes`). A failed request ends the exchange and
 * backs off like the real scheduler (1 s, 2 s, … up to a minute, with jitter).
 */
export class HttpSync {
  requests = 0;
  readonly #fleet: Fleet;
  readonly #convergence: Convergence;
  readonly #infoBytes: number;
  readonly #emptyPageBytes: number;

  constructor(fleet: Fleet, convergence: Convergence) {
    this.#fleet = fleet;
    this.#convergence = convergence;
    const first = fleet.servers[0] as SimServer;
    this.#infoBytes = JSON.stringify(first.tracker.info()).length;
    this.#emptyPageBytes = JSON.stringify(first.tracker.readCompactChanges(first.tracker.fold(), 1)).length;
  }

  /** Starts every server's polls (mesh: everyone polls everyone; star: everyone polls server 0, the cloud). */
  start(peersOf: (index: number) => readonly number[]): void {
    const { servers, queue, random, options } = this.#fleet;
    for (const r of servers) {
      for (const index of peersOf(r.index)) {
        const link: Link = { r, p: servers[index] as SimServer, failures: 0 };
        queue.after(random.between(0, options.pollMs), () => this.#poll(link));
      }
    }
  }

  /** Counts a request and its bytes; false when the link is down or the request is lost. */
  #request(link: Link, bytesOut: number, bytesIn: number): boolean {
    this.requests += 1;
    if (!this.#fleet.linkUp(link.r, link.p, this.#fleet.queue.now) || this.#fleet.lost()) return false;
    link.r.bytesOut += OVERHEAD_BYTES / 2 + bytesOut;
    link.p.bytesIn += OVERHEAD_BYTES / 2 + bytesOut;
    link.p.bytesOut += bytesIn;
    link.r.bytesIn += bytesIn;
    return true;
  }

  #rtt(link: Link): number {
    return 2 * this.#fleet.latency(link.r, link.p);
  }

  #done(link: Link, ok: boolean): void {
    link.failures = ok ? 0 : link.failures + 1;
    const { pollMs } = this.#fleet.options;
    this.#fleet.queue.after(nextDelayMs(link.failures, pollMs, DEFAULTS.backoff, () => this.#fleet.random.next()), () => this.#poll(link));
  }

  #poll(link: Link): void {
    if (!this.#request(link, 0, this.#infoBytes)) return this.#done(link, false);
    this.#fleet.queue.after(this.#rtt(link), () => {
      // The handshake's `cursor`: what the peer already pulled from us is not pushed to it again.
      const { r, p } = link;
      const pulled = p.tracker.pullCursor(r.site);
      if (pulled > r.tracker.pushCursor(p.site) && pulled <= r.tracker.capturedSeq()) r.tracker.savePushCursor(p.site, pulled);
      this.#pull(link);
    });
  }

  /** One page from the peer; an unchanged peer is answered without reading (its seq is the cursor). */
  #pull(link: Link): void {
    const { r, p } = link;
    const since = r.tracker.pullCursor(p.site);
    const page: AnyChangeset | undefined = p.tracker.capturedSeq() <= since ? undefined : p.tracker.readCompactChanges(since, PAGE_SIZE, r.site);
    const bytes = page === undefined ? this.#emptyPageBytes : JSON.stringify(page).length;
    if (!this.#request(link, 0, bytes)) return this.#done(link, false);
    this.#fleet.queue.after(this.#rtt(link), () => {
      if (page !== undefined && changeCount(page) > 0) this.#apply(r, page);
      if (page?.more === true) this.#pull(link);
      else this.#push(link);
    });
  }

  /** One page of ours to the peer, without what came from it; nothing to send is no request. */
  #push(link: Link): void {
    const { r, p } = link;
    const since = r.tracker.pushCursor(p.site);
    if (r.tracker.capturedSeq() <= since) return this.#done(link, true);
    const page = r.tracker.readChangesToSend(since, PAGE_SIZE, p.site, COMPACT_PROTOCOL);
    const next = page.next ?? since;
    if (changeCount(page) === 0) {
      r.tracker.savePushCursor(p.site, next);
      return this.#done(link, true);
    }
    if (!this.#request(link, JSON.stringify(page).length, 120)) return this.#done(link, false);
    const rtt = this.#rtt(link);
    this.#fleet.queue.after(rtt / 2, () => this.#apply(p, page));
    this.#fleet.queue.after(rtt, () => {
      r.tracker.savePushCursor(p.site, next);
      if (page.more === true) this.#push(link);
      else this.#done(link, true);
    });
  }

  #apply(server: SimServer, page: AnyChangeset): void {
    const before = server.tracker.capturedSeq();
    const result = server.tracker.applyChangeset(page);
    this.#convergence.applied(server, before, result.seq, this.#fleet.queue.now);
  }
}
