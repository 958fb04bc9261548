import type { JsMsg } from '@nats-io/jetstream';
import { MORE_HEADER, MSG_ID_HEADER, ROWS_HEADER } from './page-message';

/** A message taken from the stream: its page (undefined when there is nothing to apply) and where it came from. */
export interface Taken {
  readonly seq: number;
  readonly subject: string;
  readonly page: unknown;
  readonly rows: number;
  /** Its `Nats-Msg-Id`, saved with the applied position (tells a store put back and filled again). */
  readonly id: string | undefined;
}

/** Pages applied in one transaction, and their bytes: fewer commits when the stream has many at hand. */
const MAX_BATCH_PAGES = 8;
const MAX_BATCH_BYTES = 4 * 1024 * 1024;
/** While a publisher's messages say more follows (`Ess-More`), they wait for the rest up to this much, so a write is applied whole. */
const MAX_CHAIN_PAGES = 64;
const MAX_CHAIN_BYTES = 16 * 1024 * 1024;
/** How long a chain whose end does not come (its publisher stopped) holds the pages taken before they are applied anyway. */
export const CHAIN_WAIT_MS = 2000;

/**
 * The messages a consumer has taken but not applied yet, and when to apply
 * them: when the stream has no more for now, or the batch is full. A
 * publisher's message marked `Ess-More` opens a chain (what it had to
 * publish at once went on in its next message): the batch then waits for
 * the chain's end, up to bigger limits, so a write transaction spread over
 * several messages is applied in one SQLite transaction.
 */
export class PageBatch {
  readonly #entries: Taken[] = [];
  #bytes = 0;
  /** Subjects whose last message taken says more follows. */
  readonly #open = new Set<string>();

  /** Adds a message (`page` undefined: nothing to apply, only the position moves). */
  take(message: JsMsg, page: unknown): void {
    this.#entries.push({ seq: message.seq, subject: message.subject, page, rows: Number(message.headers?.get(ROWS_HEADER) ?? 0), id: message.headers?.get(MSG_ID_HEADER) || undefined });
    this.#bytes += message.data.length;
    if (page !== undefined && message.headers?.get(MORE_HEADER) === '1') this.#open.add(message.subject); // only a page read (and its seal checked) opens a chain
    else this.#open.delete(message.subject);
  }

  /** True while a publisher's chain is unfinished. */
  get chained(): boolean {
    return this.#open.size > 0;
  }

  /** True when the batch must be applied now, given the messages the stream still has for this consumer. */
  due(pending: number): boolean {
    const full = this.chained ? this.#entries.length >= MAX_CHAIN_PAGES || this.#bytes >= MAX_CHAIN_BYTES : this.#entries.length >= MAX_BATCH_PAGES || this.#bytes >= MAX_BATCH_BYTES;
    return full || (pending === 0 && !this.chained);
  }

  /** Takes every message out, oldest first, and starts empty. */
  drain(): Taken[] {
    this.#bytes = 0;
    this.#open.clear();
    return this.#entries.splice(0);
  }
}
