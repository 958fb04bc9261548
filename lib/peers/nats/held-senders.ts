import type { ChangeTracker } from '../../data/change-tracker';
import type { TransportCursor } from '../../data/transport-cursors';
import type { SyncError } from '../../sync-error';
import type { NatsHeldSender } from '../transport';

/** An error code as a hold keeps it (`!<subject>=<seq>.<code>`). */
const CODE = /^[A-Z][A-Z0-9_]{0,63}$/;

/**
 * The senders whose messages wait (a page that must wait: `SCHEMA_MISMATCH`,
 * `CLOCK_SKEW`, `INCOMPLETE_ROW`, `APPLY_REFUSED`), kept in
 * `_sync_transport_cursors` (`nats:<stream>:held`: `@<ahead>`, then
 * `<subject>=<seq>` each, then `!<subject>=<seq>.<code>`: the message each
 * waits at and why, as its last try said, so `/status` tells it after a
 * restart; an older version passes those over). The applied position (`nats:<stream>:applied`)
 * stays where everything is applied, below the first held message, so it
 * keeps its meaning for the coverage answered to peers and for an older
 * version; `ahead` is how far the other senders' messages are applied, and
 * a held sender's messages after its `seq` (up to `ahead`) are not applied
 * yet. They are read again from the stream, in order (each page applied
 * saves its new `seq` in its transaction), until one waits again or `ahead` is reached.
 */
export class HeldSenders {
  readonly #data: ChangeTracker;
  readonly name: string;
  /** Subject → the stream sequence up to which its messages are applied (or passed over). */
  readonly #after = new Map<string, number>();
  /** How far the other senders' messages are applied, and the id of the message there (undefined when no sender is held). */
  #ahead: { seq: number; id: string | undefined } | undefined;
  /** Why each held sender waits, as the last try since start said. */
  readonly #why = new Map<string, SyncError>();
  /** The message each held sender waits at and its code, as its last try said (kept, also from before a restart). */
  readonly #last = new Map<string, { readonly seq: number; readonly code: string }>();

  constructor(data: ChangeTracker, stream: string) {
    this.#data = data;
    this.name = `nats:${stream}:held`;
    this.reload();
  }

  /** Reads the saved holds again (after the cursors were reset). */
  reload(): void {
    this.#after.clear();
    this.#last.clear();
    let [ahead, id]: [number, string | undefined] = [0, undefined];
    for (const entry of (this.#data.transportCursor(this.name) ?? '').split(' ')) {
      if (entry.startsWith('@')) ahead = Number(entry.slice(1)) || 0;
      if (entry.startsWith('#')) id = decodeURIComponent(entry.slice(1));
      const at = entry.lastIndexOf('=');
      if (entry.startsWith('!')) this.#loadLast(entry.slice(1, at), entry.slice(at + 1));
      const seq = Number(entry.slice(at + 1));
      if (at > 0 && !entry.startsWith('!') && Number.isSafeInteger(seq) && seq >= 0) this.#after.set(entry.slice(0, at), seq);
    }
    this.#ahead = { seq: ahead, id };
    for (const subject of [...this.#why.keys(), ...this.#last.keys()]) {
      if (this.#after.has(subject)) continue;
      this.#why.delete(subject);
      this.#last.delete(subject);
    }
  }

  /** One saved `!<subject>=<seq>.<code>`. */
  #loadLast(subject: string, value: string): void {
    const dot = value.indexOf('.');
    const seq = Number(value.slice(0, dot));
    const code = value.slice(dot + 1);
    if (subject !== '' && dot > 0 && Number.isSafeInteger(seq) && seq > 0 && CODE.test(code)) this.#last.set(subject, { seq, code });
  }

  /** True when no sender is held. */
  get empty(): boolean {
    return this.#after.size === 0;
  }

  /** How far the other senders' messages are applied (undefined when no sender is held), and the id of the message there. */
  get ahead(): { readonly seq: number; readonly id: string | undefined } | undefined {
    return this.#after.size === 0 ? undefined : this.#ahead;
  }

  /** The stream sequence up to which a held sender's messages are handled; undefined when it is not held. */
  after(subject: string): number | undefined {
    return this.#after.get(subject);
  }

  /** The highest stream sequence up to which every message is handled: `position` when no sender is held. */
  lowest(position: number): number {
    return Math.min(position, ...this.#after.values());
  }

  /**
   * Holds a sender whose message at `seq` must wait (kept at once); a sender held already keeps its place.
   * @param position - how far the stream is applied now (where `ahead` starts when no sender was held)
   */
  hold(subject: string, seq: number, why: SyncError, position: number): void {
    this.#why.set(subject, why);
    const last = this.#last.get(subject);
    const told = last?.seq === seq && last.code === why.code;
    this.#last.set(subject, { seq, code: why.code });
    if (this.#after.has(subject)) {
      if (!told) this.#save(); // another message, or another reason: kept for /status after a restart
      return;
    }
    if (this.#after.size === 0) this.#ahead = { seq: position, id: undefined };
    this.#after.set(subject, seq - 1);
    this.#save();
  }

  /** The cursor that moves `ahead` to the message at `seq` (id `id`), saved in the transaction that applies it. */
  cursorAhead(seq: number, id: string | undefined): TransportCursor {
    return { name: this.name, value: this.#value(this.#after, { seq, id }) };
  }

  /** `ahead` moved to the message at `seq` (`saved`: with its page; otherwise saved now). */
  movedAhead(seq: number, id: string | undefined, saved: boolean): void {
    this.#ahead = { seq, id };
    if (!saved) this.#save();
  }

  /** The cursor that moves a held sender past its message at `seq`, saved in the transaction that applies it. */
  cursorPast(subject: string, seq: number): TransportCursor {
    return { name: this.name, value: this.#value(new Map(this.#after).set(subject, seq), this.#ahead) };
  }

  /** A held sender's message at `seq` was applied (with {@link cursorPast}) or passed over (saved now). */
  passed(subject: string, seq: number, saved: boolean): void {
    this.#after.set(subject, seq);
    if (!saved) this.#save();
  }

  /** Lets go of the senders given (their messages were all handled up to the applied position), or of all. */
  release(subjects: Iterable<string> = [...this.#after.keys()]): void {
    let changed = false;
    for (const subject of subjects) {
      changed = this.#after.delete(subject) || changed;
      this.#why.delete(subject);
      this.#last.delete(subject);
    }
    if (changed) this.#save();
  }

  /** The held senders and why each waits (the first tried since start; a sender not tried since start has none yet). */
  waiting(): ReadonlyArray<{ readonly subject: string; readonly after: number; readonly why: SyncError | undefined }> {
    return [...this.#after].map(([subject, after]) => ({ subject, after, why: this.#why.get(subject) }));
  }

  /** The held senders as `/status` lists them (`nats.held`), in the order they were held. */
  report(): NatsHeldSender[] {
    return [...this.#after].map(([subject, after]) => {
      const why = this.#why.get(subject);
      const last = this.#last.get(subject);
      const seq = last !== undefined && last.seq > after ? last.seq : null;
      const site = subject.slice(subject.lastIndexOf('.') + 1);
      if (why !== undefined) return { subject, site, seq, after, code: why.code, message: why.message };
      if (last !== undefined && seq !== null) {
        const message = `stream message ${seq} (${subject}) waits, and its sender's later messages wait behind it: ${last.code}, as its last try before this server started said; it is tried again at the next round (at once once started)`;
        return { subject, site, seq, after, code: last.code, message };
      }
      return { subject, site, seq, after, code: null, message: `the messages of ${subject} after stream message ${after} wait (held before this server started): why is told at their next try (the next round, at once once started)` };
    });
  }

  #save(): void {
    this.#data.saveTransportCursor(this.name, this.#after.size === 0 ? undefined : this.#value(this.#after, this.#ahead));
  }

  #value(after: ReadonlyMap<string, number>, ahead: { readonly seq: number; readonly id: string | undefined } | undefined): string {
    const id = ahead?.id === undefined ? [] : [`#${encodeURIComponent(ahead.id)}`];
    // A code starting with a letter: an earlier version reads `<seq>.<code>` as no number, and passes the entry over.
    const last = [...this.#last].filter(([subject, at]) => after.has(subject) && CODE.test(at.code)).map(([subject, at]) => `!${subject}=${at.seq}.${at.code}`);
    return [`@${ahead?.seq ?? 0}`, ...id, ...[...after].map(([subject, seq]) => `${subject}=${seq}`), ...last].join(' ');
  }
}
