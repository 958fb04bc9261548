import type { JsMsg } from '@nats-io/jetstream';
import type { ChangeTracker } from '../../data/change-tracker';
import { SyncError } from '../../sync-error';
import type { ApplyTurns } from './apply-turns';
import type { FleetSeal } from './fleet-seal';
import type { ObsoleteSchemaPages } from './obsolete-schema';
import type { Marker, PageApplier } from './page-applier';
import { placeOf, readStreamMessage, type Place } from './stream-message';

/** What reading a peer's message works with: the consumer's parts. */
export interface PeerMessageParts {
  /** Checks each message's seal (the fleet's sync token). */
  readonly seal: FleetSeal;
  /** This server's data: its schema's fingerprint is what a page must match. */
  readonly data: Pick<ChangeTracker, 'schema'>;
  readonly applier: Pick<PageApplier, 'apply' | 'refuse' | 'passOver'>;
  readonly turns: Pick<ApplyTurns, 'flush'>;
  readonly obsolete: Pick<ObsoleteSchemaPages, 'passable'>;
  /** Adds a message to the pages waiting to be applied together (`page` undefined: nothing to apply, only the position moves). */
  readonly take: (message: JsMsg, page: unknown) => void;
  /** Holds the sender of the page at `at`: its later messages wait behind it. */
  readonly hold: (at: Place, why: SyncError) => void;
  /** A message refused or passed over for good: the consumer has read up to `seq`. */
  readonly passed: (seq: number) => void;
}

/**
 * Reads a peer's message for the consumer ({@link readStreamMessage}) and takes its page (or,
 * with a held sender's `marker`, applies it now); a message refused for good is
 * reported and passed over, one that must wait holds its sender, unless it
 * waits for a schema its sender has left for this server's
 * ({@link ObsoleteSchemaPages}: caught up over HTTP, passed over). Pages taken
 * before it are applied first either way.
 */
export async function readPeerMessage(parts: PeerMessageParts, message: JsMsg, marker?: Marker): Promise<void> {
  const read = readStreamMessage(message, parts.seal, parts.data.schema.fingerprint);
  const at = placeOf(message);
  if ('page' in read) {
    if (marker === undefined) parts.take(message, read.page);
    else await parts.applier.apply([{ ...at, page: read.page, rows: 0 }], marker); // a held sender's: alone, in its turn
    return;
  }
  if (marker === undefined) await parts.turns.flush();
  if (!read.waits) {
    if (parts.applier.refuse(at, read.error, marker)) parts.passed(message.seq);
    return;
  }
  // A page of a schema its sender has migrated away from, to this server's, is caught up over HTTP and passed over.
  const passable = await parts.obsolete.passable(message, read.error).catch((error: unknown) => (error instanceof SyncError && error.status < 500 ? error : Promise.reject(error)));
  if (passable === true) {
    if (parts.applier.passOver(at, marker)) parts.passed(message.seq);
    return;
  }
  parts.hold(at, passable === false ? read.error : passable);
  if (marker === undefined) parts.take(message, undefined); // the position passes it: the sender's place keeps it
}
