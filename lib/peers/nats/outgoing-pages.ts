import { firstRowLabel, type ChangeTracker } from '../../data/change-tracker';
import type { WireChangeset } from '../../data/wire-schema';
import { SyncError } from '../../sync-error';
import type { NatsLink } from './nats-link';
import { encodePage, type PageMessage } from './page-message';
import { SEAL_HEADER, type FleetSeal } from './fleet-seal';

/** A page read for publishing: undefined `message` when the window held nothing to send. */
export interface OutgoingPage {
  readonly message: PageMessage | undefined;
  /** The local seq the next page starts after. */
  readonly next: number;
  /** True when the log holds more after `next`. */
  readonly more: boolean;
}

/** Rows asked for in the first page, before the size of a row is known. */
const FIRST_LIMIT = 2000;
const MAX_LIMIT = 20_000;
/** Room kept under the server's `max_payload` for a message's headers (id, expected sequence, page facts). */
const HEADER_ROOM = 1024;

/**
 * Reads this site's changes as messages for its subject: one `readChanges`
 * window per message (never cut inside one seq), encoded and sealed, with as
 * many rows as fit `maxMessageBytes` or the server's `max_payload`, whichever
 * is smaller. It learns the size of a row from each page it reads.
 */
export class OutgoingPages {
  readonly #link: NatsLink;
  readonly #data: ChangeTracker;
  readonly #subject: string;
  readonly #maxBytes: number;
  readonly #seal: FleetSeal;
  #limit = FIRST_LIMIT;

  /** @param seal - seals each message with the fleet's sync token */
  constructor(link: NatsLink, data: ChangeTracker, subject: string, maxMessageBytes: number, seal: FleetSeal) {
    this.#link = link;
    this.#data = data;
    this.#subject = subject;
    this.#maxBytes = maxMessageBytes;
    this.#seal = seal;
  }

  /**
   * Reads the page after `since`, fewer rows at a time when it would not fit a message.
   * @param tag - for a page published again under another token (its `Nats-Msg-Id` ends with it)
   * @throws SyncError `ROW_TOO_LARGE` (413) when one change alone is larger than the server takes
   */
  read(since: number, tag?: string): OutgoingPage {
    const serverMax = this.#serverMax();
    const maxBody = Math.min(this.#maxBytes, serverMax);
    this.#data.refuseOpenTransaction('a page for the stream');
    for (;;) {
      const page = this.#data.readChanges(since, this.#limit);
      const next = page.next ?? since;
      const more = page.more === true;
      if (page.changes.length === 0) return { message: undefined, next, more };
      const message = encodePage(page, since, next, tag);
      const seal = this.#seal.seal({ subject: this.#subject, headers: message.headers, data: message.body });
      if (seal !== undefined) message.headers.set(SEAL_HEADER, seal);
      const perRow = message.body.length / page.changes.length;
      const fitting = Math.max(1, Math.min(MAX_LIMIT, Math.floor((0.9 * maxBody) / perRow)));
      if (page.changes.length === 1 && message.body.length > serverMax) throw this.#tooLarge(page, message.body.length);
      if (message.body.length <= maxBody || page.changes.length === 1) {
        if (more) this.#limit = fitting;
        return { message, next, more };
      }
      this.#limit = Math.min(fitting, page.changes.length - 1);
    }
  }

  /** True when a message read earlier still fits what the NATS server and the stream take now (`maxMessageBytes` aside). */
  fits(message: PageMessage): boolean {
    return message.body.length <= this.#serverMax();
  }

  /** The largest body the NATS server and the stream take: the server's `max_payload` and the stream's `max_msg_size` count the headers too. */
  #serverMax(): number {
    return Math.max(1, this.#natsLimit().bytes - HEADER_ROOM);
  }

  /** The smaller of the server's `max_payload` and the stream's `max_msg_size` (when it sets one), and which it is. */
  #natsLimit(): { readonly bytes: number; readonly what: string; readonly fix: string } {
    const server = this.#link.maxPayload;
    const stream = this.#link.streamMaxMsgSize;
    if (stream !== undefined && stream < server) return { bytes: stream, what: "this NATS stream's max_msg_size", fix: 'raise the stream\'s max_msg_size (`nats stream edit --max-msg-size`)' };
    return { bytes: server, what: "this NATS server's max_payload", fix: 'raise max_payload in the nats-server configuration' };
  }

  /** One change larger than NATS takes: nothing after it can be published until the row shrinks or the limit (server or stream) grows. */
  #tooLarge(page: WireChangeset, bytes: number): SyncError {
    const row = firstRowLabel(page);
    const limit = this.#natsLimit();
    return new SyncError(
      'ROW_TOO_LARGE',
      413,
      `${row} takes ${bytes} bytes as a message body, more than NATS takes (${limit.what}, ${limit.bytes} bytes, less ${HEADER_ROOM} for the headers: ${this.#serverMax()}); ${limit.fix} or keep such rows smaller. Changes after it wait (HTTP peers still get them)`,
    );
  }
}
