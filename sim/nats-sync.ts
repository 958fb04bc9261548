import type { WireChangeset } from '../lib/data/wire-schema';
import type { Fleet, SimServer } from './fleet';
import type { Convergence } from './measure';

/** One message in a simulated stream: a page of its origin's changes. */
interface Message {
  readonly origin: SimServer;
  readonly page: WireChangeset;
  readonly bytes: number;
}

/** Headers and protocol framing per message. */
const MESSAGE_OVERHEAD_BYTES = 150;
const PUBLISH_INTERVAL_MS = 50;
const REDELIVERY_MS = 500;
const BATCH_PAGES = 8;

/**
 * NATS JetStream as a simulated log, the way the transport uses it: each
 * server publishes its new changes (what it did not receive from the stream)
 * at most every 50 ms, and applies the others' pages in stream order with
 * the position saved in the same transaction. Each venue runs a leaf node
 * whose stream holds its own servers' messages at once and the hub's
 * messages while the venue reaches the internet; the cloud server (0) reads
 * the hub. A cut-off venue keeps syncing inside; both sides catch up when it heals.
 */
export class NatsSync {
  published = 0;
  deliveries = 0;
  readonly #fleet: Fleet;
  readonly #convergence: Convergence;
  readonly #hub: Message[] = [];
  readonly #leaves: Message[][];
  readonly #outbox: Message[][];
  readonly #inbox: Message[][];
  readonly #position = new Map<SimServer, number>();
  readonly #publishing = new Set<SimServer>();
  readonly #consuming = new Set<SimServer>();

  constructor(fleet: Fleet, convergence: Convergence) {
    this.#fleet = fleet;
    this.#convergence = convergence;
    this.#leaves = Array.from({ length: fleet.venues }, () => []);
    this.#outbox = Array.from({ length: fleet.venues }, () => []);
    this.#inbox = Array.from({ length: fleet.venues }, () => []);
  }

  /** Schedules the partition's healing and every server's return online. */
  start(): void {
    const { queue, partition, servers } = this.#fleet;
    queue.at(partition.to, () => this.#heal(partition.venue));
    for (const server of servers) {
      if (server.offline !== undefined) queue.at(server.offline.to, () => this.#backOnline(server));
    }
  }

  /** A local write: published at the publisher's next look (within 50 ms). */
  written(server: SimServer): void {
    if (this.#publishing.has(server)) return;
    this.#publishing.add(server);
    this.#fleet.queue.after(this.#fleet.random.between(0, PUBLISH_INTERVAL_MS), () => {
      this.#publishing.delete(server);
      this.#publish(server);
    });
  }

  #backOnline(server: SimServer): void {
    this.#publish(server);
    this.#scheduleConsume(server, 0);
  }

  #publishedKey(server: SimServer): string {
    return `sim:published:${server.site}`;
  }

  /** Publishes everything not published yet, page by page (the pages reach the server's leaf after a LAN hop). */
  #publish(server: SimServer): void {
    const { queue } = this.#fleet;
    if (!server.online(queue.now)) return;
    const key = this.#publishedKey(server);
    for (;;) {
      const since = Number(server.tracker.transportCursor(key) ?? 0);
      if (server.tracker.capturedSeq() <= since) return;
      const page = server.tracker.readChanges(since, 2000);
      const next = page.next ?? since;
      if (page.changes.length > 0) {
        const message: Message = { origin: server, page, bytes: JSON.stringify(page).length + MESSAGE_OVERHEAD_BYTES };
        server.bytesOut += message.bytes;
        this.published += 1;
        queue.after(server.venue < 0 ? 1 : this.#fleet.options.lanMs, () => (server.venue < 0 ? this.#toHub(message) : this.#toLeaf(server.venue, message, false)));
      }
      server.tracker.saveTransportCursor(key, String(next));
      if (page.more !== true || next <= since) return;
    }
  }

  #toLeaf(venue: number, message: Message, sourced: boolean): void {
    const { queue, servers, options } = this.#fleet;
    (this.#leaves[venue] as Message[]).push(message);
    for (const server of servers) if (server.venue === venue) this.#scheduleConsume(server, options.lanMs);
    if (sourced) return;
    if (this.#fleet.cutOff(venue, queue.now)) (this.#outbox[venue] as Message[]).push(message);
    else queue.after(options.wanMs, () => this.#toHub(message));
  }

  #toHub(message: Message): void {
    const { queue, options } = this.#fleet;
    this.#hub.push(message);
    this.#scheduleConsume(this.#fleet.servers[0] as SimServer, 1);
    for (let venue = 0; venue < this.#leaves.length; venue += 1) {
      if (venue === message.origin.venue) continue;
      if (this.#fleet.cutOff(venue, queue.now)) (this.#inbox[venue] as Message[]).push(message);
      else queue.after(options.wanMs, () => this.#toLeaf(venue, message, true));
    }
  }

  #heal(venue: number): void {
    const { queue, options } = this.#fleet;
    for (const message of (this.#outbox[venue] as Message[]).splice(0)) queue.after(options.wanMs, () => this.#toHub(message));
    for (const message of (this.#inbox[venue] as Message[]).splice(0)) queue.after(options.wanMs, () => this.#toLeaf(venue, message, true));
  }

  #scheduleConsume(server: SimServer, delayMs: number): void {
    if (this.#consuming.has(server) || !server.online(this.#fleet.queue.now)) return;
    this.#consuming.add(server);
    const lostOnce = this.#fleet.lost() ? REDELIVERY_MS : 0;
    this.#fleet.queue.after(delayMs + lostOnce, () => {
      this.#consuming.delete(server);
      this.#consume(server);
    });
  }

  /** Reads the server's stream from its position; pages of others are applied 8 at a time, each batch with the position reached. */
  #consume(server: SimServer): void {
    if (!server.online(this.#fleet.queue.now)) return;
    const log = server.venue < 0 ? this.#hub : (this.#leaves[server.venue] as Message[]);
    let position = this.#position.get(server) ?? 0;
    while (position < log.length) {
      const pages: WireChangeset[] = [];
      while (position < log.length && pages.length < BATCH_PAGES) {
        const message = log[position] as Message;
        position += 1;
        server.bytesIn += message.bytes;
        this.deliveries += 1;
        if (message.origin !== server) pages.push(message.page);
      }
      this.#apply(server, pages, position);
    }
    this.#position.set(server, position);
  }

  #apply(server: SimServer, pages: readonly WireChangeset[], position: number): void {
    if (pages.length === 0) return; // only its own messages: the position is kept in memory here
    if (server.tracker.capturedSeq() > Number(server.tracker.transportCursor(this.#publishedKey(server)) ?? 0)) this.#publish(server);
    const before = server.tracker.capturedSeq();
    const results = server.tracker.applyChangesetsWithCursor(pages, { name: 'sim:applied', value: String(position) }, this.#publishedKey(server));
    this.#convergence.applied(server, before, results.at(-1)?.seq ?? before, this.#fleet.queue.now);
  }
}
