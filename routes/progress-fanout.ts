import type { SyncClient } from '../lib/peers/sync-client';
import type { SyncProgress } from '../lib/peers/sync-status';

/** Receives the client's progress events while it is subscribed. */
export type ProgressReader = (progress: SyncProgress) => void;

/**
 * Hands a sync client's `progress` events to every streamed `POST /run`
 * in flight through one listener of its own, held only while one is
 * subscribed: a dozen concurrent runs (a script, several operators'
 * `express-sqlite-sync sync`) would otherwise add a dozen listeners, and
 * Node warns of a memory leak that is none.
 */
export class ProgressFanout {
  readonly #client: SyncClient;
  readonly #readers = new Set<ProgressReader>();
  readonly #listener: ProgressReader = (progress) => {
    for (const reader of [...this.#readers]) reader(progress);
  };

  /** @param client - the client whose progress is handed on */
  constructor(client: SyncClient) {
    this.#client = client;
  }

  /** Hands `reader` every progress event until the returned function is called. */
  subscribe(reader: ProgressReader): () => void {
    if (this.#readers.size === 0) this.#client.on('progress', this.#listener);
    this.#readers.add(reader);
    return () => {
      if (!this.#readers.delete(reader)) return;
      if (this.#readers.size === 0) this.#client.off('progress', this.#listener);
    };
  }
}
