import { randomBytes } from 'node:crypto';
import type { ChangeTracker } from '../../data/change-tracker';
import type { FleetSeal } from './fleet-seal';

/** Where this site's messages must be published again, because they were sealed under a token it no longer holds. */
export interface Reseal {
  /** The local seq to publish from again. */
  readonly from: number;
  /** The local seq published up to under the old token. */
  readonly upTo: number;
}

/**
 * Which token sealed this site's messages, and from which local seq
 * (`nats:<stream>:sealer:<site>`: `<sealer id> <from> <upTo> <tag>`; the id
 * is {@link FleetSeal.sealer}, never the token). A server that ran with a
 * wrong sync token sealed its messages with it, and the fleet refused them
 * as `WRONG_TOKEN`; once its token is fixed it no longer holds the one that
 * sealed them, so it publishes them again under the new one (a page applied
 * twice changes nothing). A rotation that keeps the old token in the list
 * (`[new, old]`) publishes nothing again: the fleet still accepts the old seal.
 */
export class SealedRange {
  readonly #data: ChangeTracker;
  readonly #name: string;
  readonly #seal: FleetSeal;

  constructor(data: ChangeTracker, stream: string, site: string, seal: FleetSeal) {
    this.#data = data;
    this.#name = `nats:${stream}:sealer:${site}`;
    this.#seal = seal;
  }

  /**
   * Compares the token that sealed this site's messages with the one that seals now.
   * @param published - the local seq published up to
   * @param start - the first local seq this site would publish after (the end of the snapshot it started from, or 0)
   * @param republish - called, before the new token is saved, with where to publish again from: a crash between the two publishes them again at the next start
   * @returns where it published again from, when the messages were sealed under a token this server no longer holds
   */
  reconcile(published: number, start: number, republish: (from: number) => void): Reseal | undefined {
    const sealer = this.#seal.sealer;
    if (sealer === undefined) return undefined; // nothing is sealed without tokens
    const saved = this.#saved();
    if (saved === undefined) {
      this.#save(sealer, start, 0, ''); // before this was kept (or the first use): the token now is taken to have sealed all
      return undefined;
    }
    if (saved.sealer === sealer) return undefined;
    if (this.#seal.holds(saved.sealer)) {
      this.#save(sealer, published, saved.upTo, saved.tag); // a rotation: the old seal is still accepted
      return undefined;
    }
    const from = Math.min(saved.from, published);
    if (from >= published) {
      this.#save(sealer, from, 0, ''); // it sealed nothing under the old one
      return undefined;
    }
    republish(from);
    this.#save(sealer, from, published, randomBytes(8).toString('hex'));
    return { from, upTo: published };
  }

  /** The tag of a page starting after local seq `since`: set when it was published before under another token (a new `Nats-Msg-Id`, so JetStream does not drop it as a duplicate). */
  tagFor(since: number): string | undefined {
    const saved = this.#saved();
    return saved !== undefined && saved.tag !== '' && since < saved.upTo ? saved.tag : undefined;
  }

  #saved(): { sealer: string; from: number; upTo: number; tag: string } | undefined {
    const [sealer, from, upTo, tag] = (this.#data.transportCursor(this.#name) ?? '').split(' ');
    if (sealer === undefined || sealer === '') return undefined;
    return { sealer, from: Number(from) || 0, upTo: Number(upTo) || 0, tag: tag ?? '' };
  }

  #save(sealer: string, from: number, upTo: number, tag: string): void {
    this.#data.saveTransportCursor(this.#name, `${sealer} ${from} ${upTo} ${tag}`.trimEnd());
  }
}
