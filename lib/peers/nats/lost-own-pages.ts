import type { NatsLink, StreamFacts } from './nats-link';

/**
 * Whether this site's pages after its subject's last message in the stream
 * are lost and must be published again, when that last message is older
 * than the one it saved as published (`saved`, a stream sequence): the
 * stream was made again (`recreated`), or it lost its tail (it ends before
 * `saved`), or its store was put back from an older copy and filled again
 * past `saved`, which the message now at `saved` tells: it lies on another
 * subject (the subject's last one is older), so that sequence was used
 * again. This is told here, not by the applied position: this server may
 * have published past what it applied (a sender held, a stop right after a
 * flush), and a position in the part the copy kept shows nothing. Otherwise
 * (no message at `saved`: purged, aged out, deleted) the operator let
 * those pages go, and a server that needs them catches up over HTTP. The
 * message at `saved` still on this site's own `subject` loses nothing: the
 * server's index of the subject is what is behind (nats-server 2.9, restarted
 * after an account's storage limit refused publishes, finds no last message
 * there while the stream holds them); publishing them again only met that
 * index again, for ever.
 */
export async function ownPagesLost(link: Pick<NatsLink, 'messageAt'>, facts: StreamFacts, saved: number, recreated: boolean, subject: string): Promise<boolean> {
  if (recreated || saved > facts.lastSeq) return true;
  if (saved < facts.firstSeq) return false;
  const there = await link.messageAt(saved);
  return there !== null && there.subject !== subject;
}
