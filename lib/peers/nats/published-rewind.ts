import type { ChangeTracker } from '../../data/change-tracker';
import type { FleetSeal } from './fleet-seal';
import type { NatsCursors, StreamChange } from './nats-cursors';
import type { LastOnSubject, NatsLink, StreamFacts } from './nats-link';
import { ownPagesLost } from './lost-own-pages';
import { parseMessageId } from './page-message';
import { earlierOwnPage } from './subject-checks';

/** What setting this site's published seq back reads and writes: the publisher's parts. */
export interface RewindParts {
  readonly link: Pick<NatsLink, 'messageAt'>;
  /** This site's subject. */
  readonly subject: string;
  readonly seal: FleetSeal;
  readonly cursors: NatsCursors;
  readonly data: Pick<ChangeTracker, 'lacksOwnChanges'>;
}

/**
 * The publisher found its subject's last message (`last`) older than the one it saved as published (`saved`, a
 * stream sequence), or the stream made again (`recreated`, from the cursors' `change`). Older, with the stream now
 * ending before the saved one or another subject's message at its sequence, means the stream lost its tail (perhaps
 * filled again since): those pages are published again ({@link ownPagesLost}). Older otherwise means they were
 * purged or aged out: the operator let them go, and a server that needs them catches up over HTTP.
 */
export async function rewindPublished(parts: RewindParts, facts: StreamFacts, last: LastOnSubject | undefined, saved: number, change: StreamChange, recreated: boolean): Promise<void> {
  const { link, subject, seal, cursors, data } = parts;
  const lastSeq = last?.seq ?? 0;
  // A lost tail, or a stream made again (also when junk on this subject was passed over just before, in the
  // publisher's prepare): what the subject keeps of this site is published, the rest again. An id on a message
  // not sealed so keeps nothing.
  // Kept beyond what was published here is this database's own page from an earlier life of this stream
  // (an older copy of its store put back), or a clone's: only the first is taken.
  const kept = last !== undefined && seal.accepts(last.message) ? (parseMessageId(last.msgId)?.last ?? 0) : 0;
  const now = cursors.publishedSeq();
  const lost = await ownPagesLost(link, facts, saved, recreated, subject);
  const published = !lost ? now : kept > now && last !== undefined && earlierOwnPage(seal, cursors, data, last.msgId, last.message, facts.created) ? kept : Math.min(kept, now);
  // How far it went is kept before it is set back, for the stream life the cursors were reconciled with: this
  // one, or the one before when a flush met the stream made again before the cursors noticed (its publish
  // refused for its expected subject sequence). A stream made again that they noticed kept it for the old one.
  if (published < now && change !== 'recreated') cursors.noteReach(cursors.createdAt() ?? facts.created, now);
  cursors.savePublished(published, lastSeq);
}
