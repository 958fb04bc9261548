import { SyncError } from '../../sync-error';
import type { ChangeTracker } from '../../data/change-tracker';
import { newSiteIdCommand } from '../../data/new-site-id-fix';
import { wrongToken, type FleetSeal, type SealedMessage } from './fleet-seal';
import type { NatsCursors } from './nats-cursors';
import type { LastOnSubject, NatsLink } from './nats-link';
import { MSG_ID_HEADER, parseMessageId, type PageMessage } from './page-message';

/** What the publisher's checks of its own subject read. */
export interface SubjectParts {
  readonly link: Pick<NatsLink, 'messageAt'>;
  /** This site's subject. */
  readonly subject: string;
  readonly seal: FleetSeal;
  readonly cursors: NatsCursors;
  /** Whether a sealed message on this subject is this database's own page from an earlier life of the stream (see `NatsPublisher`). */
  readonly earlierOwn?: (msgId: string | undefined, message: SealedMessage | null) => boolean;
}

/**
 * JetStream answered a page's id as a duplicate, without storing it: the
 * message it holds with that id must be this database's own earlier attempt
 * (a lost ack). One not sealed with the fleet's token, or on another
 * subject, is junk from someone holding only the NATS credentials, who took
 * the id in advance (ids are predictable): the page is not in the stream,
 * and is sent again later. A sealed one on this subject that this database
 * did not send is a clone's.
 * @returns what tells a clone (the caller stops publishing), undefined for this database's own attempt
 * @throws SyncError `WRONG_TOKEN` (403) for junk holding the id
 */
export async function storedUnderId(parts: SubjectParts, message: PageMessage, seq: number): Promise<string | undefined> {
  const stored = await parts.link.messageAt(seq);
  if (stored !== null && (stored.subject !== parts.subject || !parts.seal.accepts(stored))) {
    const detail = `the stream holds a message with this page's id ${message.msgId}, at ${seq} (${stored.subject}), that is not this server's: not sealed with this fleet's sync token, or on another subject`;
    const effect = "someone holding only the NATS credentials took the id, and JetStream drops a page with it as a duplicate for its duplicate window (2 minutes by default). Nothing was published: the page is sent again at the next look. Check who can publish to this NATS server";
    throw new SyncError('WRONG_TOKEN', 403, `${detail}; ${effect}`);
  }
  return parts.cursors.ownAttempt(message.msgId, stored, message.body) ? undefined : `the stream already holds a page ${message.msgId}, at ${seq}, that this database did not send`;
}

/**
 * Whether the subject's last message can be taken in (it is no clone's):
 * this database sent it (an earlier attempt whose ack was lost, or whose
 * save a crash cut, or its own page from an earlier life of the stream whose
 * published seq was set back since, an older copy of the store put back: the
 * published seq moves to its end), or it replays a
 * window this site already published, or it is not sealed with the fleet's
 * token (junk from a NATS client without it: told to `refused` as
 * `WRONG_TOKEN`). The last two are passed over: only the subject sequence is
 * taken. A sealed message with a window beyond what this site published is a clone's.
 * @returns the local seq published up to once it is taken in; undefined for a clone's
 */
export function adoptedEnd(parts: SubjectParts, last: LastOnSubject, refused: (seq: number, error: SyncError) => void): number | undefined {
  const published = parts.cursors.publishedSeq();
  if (parts.seal.accepts(last.message)) {
    const id = parseMessageId(last.msgId);
    if (id === undefined || (id.last > published && !parts.cursors.ownAttempt(last.msgId, last.message) && parts.earlierOwn?.(last.msgId, last.message) !== true)) return undefined;
    return Math.max(id.last, published);
  }
  const where = `someone holding the NATS credentials but not this fleet's sync token put it on this server's own subject; it is passed over and this server goes on publishing. Check who can publish to this NATS server`;
  refused(last.seq, wrongToken(where));
  return published;
}

/**
 * Whether a message on this site's own subject is a clone's by what it holds:
 * sealed with the fleet's token, a page with a change under this site's id
 * that this database never wrote ({@link ChangeTracker.lacksOwnChanges}).
 * Its window cannot tell: an idle server's published seq moves on over the
 * pages it applies, so a clone's page can lie inside it, as a replay of its own would.
 * @returns what tells the clone; undefined when the message shows none (junk not sealed so is refused elsewhere)
 */
export function cloneByContent(seal: FleetSeal, data: Pick<ChangeTracker, 'lacksOwnChanges'>, seq: number, message: SealedMessage): string | undefined {
  if (!seal.accepts(message)) return undefined;
  let page: unknown;
  try {
    page = JSON.parse(Buffer.from(message.data).toString('utf8'));
  } catch {
    return undefined;
  }
  if (!data.lacksOwnChanges(page)) return undefined;
  return `the stream holds at ${seq} a page under this site's id (${message.headers?.get(MSG_ID_HEADER) ?? 'no id'}) with changes this database never wrote`;
}

/**
 * True when a message on this site's subject is this database's own page
 * from an earlier life of this stream, whose published seq was set back
 * since (the stream made again, its tail lost) and then an older copy of its
 * store put back: sealed with the fleet's token, its window within how far
 * this site published in the stream of this creation time
 * ({@link NatsCursors.reachIn}), and holding no change under this site's id
 * this database lacks ({@link cloneByContent}). `created` is the creation
 * time of the stream the message was read from: only when the cursors were
 * reconciled with that very stream does its reach vouch (a flush that meets a
 * stream made again before they noticed reads a new stream, where the reach
 * kept for the old one vouches for nothing).
 */
export function earlierOwnPage(
  seal: FleetSeal,
  cursors: Pick<NatsCursors, 'createdAt' | 'reachIn'>,
  data: Pick<ChangeTracker, 'lacksOwnChanges'>,
  msgId: string | undefined,
  message: SealedMessage | null,
  created: string,
): boolean {
  if (message === null || !seal.accepts(message) || created !== cursors.createdAt()) return false;
  const id = parseMessageId(msgId);
  if (id === undefined || id.last > cursors.reachIn(created)) return false;
  return cloneByContent(seal, data, 0, message) === undefined;
}

/**
 * The error that stops a publisher for good: another process (a copy of this
 * database) publishes as this site on `subject`. Its fix names `file`, this
 * server's database (the placeholder when it has none).
 */
export function cloneError(subject: string, detail: string, file: string | undefined): SyncError {
  return new SyncError(
    'SAME_SITE_ID',
    409,
    `another process publishes as this server's site on ${subject} (${detail}): one database was copied from the other. This server stopped publishing: stop it and run \`${newSiteIdCommand(file)}\` on it (the stream keeps the other process's pages under this site's subject, so a new id on the other one does not end this), then start it again`,
  );
}
