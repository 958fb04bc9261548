import type { JsMsg } from '@nats-io/jetstream';
import { SyncError } from '../../sync-error';
import type { FleetSeal } from './fleet-seal';
import type { NatsLink } from './nats-link';
import { SCHEMA_HEADER } from './page-message';
import { placeOf, waitingAt } from './stream-message';

/** What {@link ObsoleteSchemaPages} needs besides the link. */
export interface ObsoleteSchemaParts {
  /** The fleet's seal: only a sealed last message tells what schema its sender has now. */
  readonly seal: FleetSeal;
  /** This server's tracked schema fingerprint. */
  readonly fingerprint: () => string;
  /** Catches this server up over HTTP; resolves true when a peer did. */
  readonly catchUp: (reason: string) => Promise<boolean>;
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
  /** `<subject> <fingerprint>` of the old-schema pages already caught up over HTTP (one catch-up covers a sender's earlier pages). */
  readonly #caughtUp = new Set<string>();

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
    if (this.#caughtUp.has(key)) return true;
    if (theirs === '' || !(await this.#senderNowHas(message.subject, ours))) return false;
    const at = `stream message ${message.seq} (${message.subject})`;
    if (await this.#parts.catchUp(`${at} was written with the schema its sender had before its migration to this server's schema: it cannot be applied here, its changes are read from the peers instead`)) {
      this.#caughtUp.add(key);
      return true;
    }
    throw waitingAt(
      placeOf(message),
      new SyncError(
        'SCHEMA_MISMATCH',
        409,
        `it was written with tracked schema ${theirs} before its sender migrated to this server's schema (${ours}; its later messages carry it), so it can never be applied here, and its changes can only come over HTTP now: no HTTP peer could catch this server up; add a peer (\`peers\`) that has them (the sender, or a server that synced with it), then sync`,
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
