import { SyncError } from '../../sync-error';
import type { NatsLink } from './nats-link';
import type { NatsConfig } from './nats-options';
import { errorOf, natsFailure, withoutCredentials } from './nats-util';
import { fullStreamFailure } from './stream-fitness';
import { storageFullFailure } from './storage-full';

/**
 * The NATS transport's failures: the last one (`lastError` on `/status`,
 * cleared by a success) and how many were recorded since start, so a round
 * waits only for those after it began (even within one millisecond).
 */
export class NatsFailures {
  readonly #config: NatsConfig;
  readonly #link: Pick<NatsLink, 'state'>;
  #last: { code: string; message: string; n: number } | undefined;
  #count = 0;

  constructor(config: NatsConfig, link: Pick<NatsLink, 'state'>) {
    this.#config = config;
    this.#link = link;
  }

  /** Failures recorded since start. */
  get count(): number {
    return this.#count;
  }

  /** The last failure, undefined after a success. */
  get last(): { readonly code: string; readonly message: string } | undefined {
    return this.#last === undefined ? undefined : { code: this.#last.code, message: this.#last.message };
  }

  /** Records a failure (as {@link describe} names it). */
  record(error: unknown): void {
    this.#count += 1;
    this.#last = { ...errorOf(this.describe(error)), n: this.#count };
  }

  /** A success: no last failure. */
  clear(): void {
    this.#last = undefined;
  }

  /** The last failure when it was recorded after `since` (a {@link count} read before), as a SyncError. */
  since(since: number): SyncError | undefined {
    return this.#last !== undefined && this.#last.n > since ? new SyncError(this.#last.code, 503, this.#last.message) : undefined;
  }

  /**
   * A failure as `/status` names it: a request that timed out while the connection is down is `NATS_UNREACHABLE` (the link is down), not a slow server;
   * a publish into a stream full with discard new is `NATS_STREAM` ({@link fullStreamFailure}); JetStream's storage used up is `NATS_STORAGE_FULL` ({@link storageFullFailure}).
   */
  describe(error: unknown): SyncError {
    const where = this.#config.servers.map(withoutCredentials).join(', ');
    const full = fullStreamFailure(this.#config.stream, error) ?? storageFullFailure(this.#config.stream, where, error);
    if (full !== undefined) return full;
    const failure = natsFailure(error, this.#config.servers, this.#config.requestTimeoutMs, this.#config.domain);
    if (failure.code !== 'NATS_TIMEOUT' || this.#link.state === 'connected') return failure;
    return new SyncError('NATS_UNREACHABLE', 503, `the connection to NATS is down (${where}): ${failure.message}; the client keeps trying`, { cause: error });
  }
}
