import type { JsMsg } from '@nats-io/jetstream';
import { SyncError } from '../../sync-error';
import type { FleetSeal } from './fleet-seal';
import type { NatsLink } from './nats-link';
import { SCHEMA_HEADER } from './page-message';
import { placeOf, waitingAt } from './stream-message';
import type { CatchUpVerdict } from './nats-catch-up';

/** What {@link ObsoleteSchemaPages} needs besides the link. */
export interface ObsoleteSchemaParts {
  /** The fleet's seal: only a sealed last message tells what schema its sender has now. */
  readonly seal: FleetSeal;
  /** This server's tracked schema fingerprint. */
  readonly fingerprint: () => string;
  /** Catches this server up over HTTP for the stream sequences given: whether a peer that holds them did, peers that may not, or none. */
  readonly catchUp: (reason: string, range: { readonly from: number; readonly to: number }) => Promise<CatchUpVerdict>;
  /** Messages passed over though no peer that caught this server up holds them (`CATCH_UP_INCOMPLETE`). */
  readonly passedWithout: (range: { readonly from: number; readonly to: number }) => void;
}

/**
 * A stream message written with another tracked schema waits until this server migrates. In a
 * rolling migration that is not enough: a server migrated early meets the pages its peers
 * published before their own migration, and once such a peer publishes with this server's schema
 * those pages can never be applied here (nor re-published: the peer's cursor is past them). When
 * the sender's last message carries this server's fingerprint, the page's changes are caught up
 * over HTTP (they are in the sender's log, read there in the new schema) and the message is passed
 * over; without a catch-up it waits, saying so.
 */
export class ObsoleteSchemaPages {
  readonly #link: NatsLink;
  readonly #parts: ObsoleteSchemaParts;
  /**
   * `<subject> <fingerprint>` of the old-schema pages already caught up over HTTP (one catch-up covers a sender's earlier
   * pages), and whether a peer that holds them did (when none did, each later one is passed over as missing too).
   */
  readonly #caughtUp = new Map<string, boolean>();

  constructor(link: NatsLink, parts: ObsoleteSchemaParts) {
    this.#link = link;
    this.#parts = parts;
  }

  /**
   * Decides a message that waits for a schema (`SCHEMA_MISMATCH`).
   * @returns true when its changes were caught up over HTTP and it may be passed over; false when it must wait as it is
   * @throws SyncError `SCHEMA_MISMATCH` (waits) when its sender migrated to this schema but no HTTP peer could catch this server up
   */
  async passable(message: JsMsg, waiting: SyncError): Promise<boolean> {
    if (waiting.code !== 'SCHEMA_MISMATCH') return false;
    const theirs = message.headers?.get(SCHEMA_HEADER) ?? '';
    const ours = this.#parts.fingerprint();
    const key = `${message.subject} ${theirs}`;
    const range = { from: message.seq, to: message.seq };
    const held = this.#caughtUp.get(key);
    if (held !== undefined) {
      if (!held) this.#parts.passedWithout(range);
      return true;
    }
    if (theirs === '' || !(await this.#senderNowHas(message.subject, ours))) return false;
    const at = `stream message ${message.seq} (${message.subject})`;
    const verdict = await this.#parts.catchUp(`${at} was written with the schema its sender had before its migration to this server's schema: it cannot be applied here, its changes are read from the peers instead`, range);
    if (verdict !== 'failed') {
      this.#caughtUp.set(key, verdict === 'complete');
      return true;
    }
    throw waitingAt(
      placeOf(message),
      new SyncError(
        'SCHEMA_MISMATCH',
        409,
        `it was written with tracked schema ${theirs} before its sender migrated to this server's schema (${ours}; its later messages carry it), so it can never be applied here, and its changes can only come over HTTP now: no HTTP peer could catch this server up; add a peer (\`peers\`; SYNC_PEERS in the sample app) that has them (the sender, or a server that synced with it), then sync`,
      ),
    );
  }

  /** True when the last sealed message on a sender's subject carries this server's fingerprint (it migrated since). */
  async #senderNowHas(subject: string, fingerprint: string): Promise<boolean> {
    const last = await this.#link.lastOnSubject(subject);
    if (last === undefined || !this.#parts.seal.accepts(last.message)) return false;
    return last.message.headers?.get(SCHEMA_HEADER) === fingerprint;
  }
}
