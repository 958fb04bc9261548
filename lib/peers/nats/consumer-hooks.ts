import { SyncError } from '../../sync-error';
import type { FleetSeal, SealedMessage } from './fleet-seal';
import type { CatchUpVerdict } from './nats-catch-up';
import type { Refusal } from './page-applier';

/** What the consumer asks of the rest of the transport. */
export interface ConsumerHooks {
  /** Runs before a page is applied (publishes local writes first, so the page's own writes need no sending back). */
  readonly beforeApply: () => Promise<void>;
  /** Catches up over HTTP when the stream cannot serve a message this server needs; resolves true when it did. */
  readonly catchUp: (reason: string) => Promise<boolean>;
  /** Catches up over HTTP the stream sequences `from`-`to` this server cannot apply (lost, or of a schema it left): whether a peer that holds them did, peers that may not, or none. */
  readonly catchUpGap: (reason: string, range: { readonly from: number; readonly to: number }) => Promise<CatchUpVerdict>;
  /** Messages passed over though no peer that caught this server up holds them. */
  readonly passedWithout: (range: { readonly from: number; readonly to: number }) => void;
  /** Called after each message handled. */
  readonly handled: () => void;
  /**
   * Called for each message on this site's own subject, before it is passed
   * over: the publisher checks whether it is another process's, a clone's (it
   * then stops publishing, and says so); never rejects.
   * @defaultValue none: such messages are passed over unchecked
   */
  readonly ownMessage?: (seq: number, message: SealedMessage) => Promise<void>;
  /** Checks each message's seal (the fleet's sync token). */
  readonly seal: FleetSeal;
  /** Called for each message refused and passed over. @defaultValue none */
  readonly refused?: (refusal: Refusal) => void;
  /**
   * How long one pull request of the delivery waits, in ms (1000-30000). Its heartbeat is half of it, and a pull the server
   * lost (a nats-server restarted just then) is noticed after two missed heartbeats: the delivery stalls that long. Not
   * too short: while a message's handling stalls (an HTTP catch-up), every missed heartbeat queues one more pull.
   * @defaultValue 30000, the client's own
   */
  readonly pullExpiresMs?: number;
}

/**
 * Crosses stream sequences `from`-`to` the stream no longer has (a purge, a
 * hole): caught up over HTTP first.
 * @throws SyncError `STREAM_GAP` (409) when no HTTP peer could catch this server up
 */
export async function crossGap(hooks: Pick<ConsumerHooks, 'catchUpGap'>, from: number, to: number): Promise<void> {
  const reason = `the stream no longer has messages ${from}-${to} this server has not applied`;
  if ((await hooks.catchUpGap(reason, { from, to })) !== 'failed') return;
  throw new SyncError('STREAM_GAP', 409, `${reason}, and no HTTP peer could catch this server up; add a peer (\`peers\`; SYNC_PEERS in the sample app) that has the data, then sync`);
}
