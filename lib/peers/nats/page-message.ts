import { headers, type MsgHdrs } from '@nats-io/transport-node';
import type { WireChangeset } from '../../data/wire-schema';

/** Header: the page's message id (see {@link pageMessageId}), set by the publisher itself so the seal covers it. */
export const MSG_ID_HEADER = 'Nats-Msg-Id';
/** Header: the tracked schema's fingerprint, checked before the body is parsed. */
export const SCHEMA_HEADER = 'Ess-Schema';
/** Header: the publisher's local seq window `(since, next]` the page covers. */
export const SINCE_HEADER = 'Ess-Since';
export const NEXT_HEADER = 'Ess-Next';
/** Header: rows in the page, counted without parsing it. */
export const ROWS_HEADER = 'Ess-Rows';
/** Header, `1` when the publisher's next message continues what it had to publish at once (a write may go on there). */
export const MORE_HEADER = 'Ess-More';

/**
 * Header: a random nonce per publish attempt, saved with the attempt before it
 * is sent. JetStream answers a message id it already holds as a duplicate
 * (without storing it or checking the expected subject sequence): the nonce
 * of the message it holds tells this database's own earlier attempt (a lost
 * ack) from a clone's page that happened to cover the same seqs.
 */
export const ATTEMPT_HEADER = 'Ess-Attempt';

/**
 * True when a stored message is one of the attempts whose nonces are given,
 * holds the very body about to be sent, or cannot be told apart (gone from
 * the stream, or sent before nonces were).
 */
export function sentByThisDatabase(stored: { readonly headers: MsgHdrs | undefined; readonly data: Uint8Array } | null, nonces: readonly string[], body: Uint8Array): boolean {
  const nonce = stored?.headers?.get(ATTEMPT_HEADER) ?? '';
  return nonce === '' || nonces.includes(nonce) || Buffer.from(body).equals(stored?.data ?? new Uint8Array());
}

/** A page ready to publish: body, headers and its message id. */
export interface PageMessage {
  readonly body: Uint8Array;
  readonly headers: MsgHdrs;
  /** `Nats-Msg-Id`: `<site>:<firstSeq>-<lastSeq>` of the publisher's local seqs, so a page published twice is stored once. */
  readonly msgId: string;
  readonly rows: number;
}

/**
 * The `Nats-Msg-Id` of the page covering local seqs `(since, next]` of `site`;
 * `~<tag>` after it for a page published again under another sync token (the
 * first publication may still be in JetStream's duplicate window).
 */
export function pageMessageId(site: string, since: number, next: number, tag?: string): string {
  return `${site}:${since + 1}-${next}${tag === undefined ? '' : `~${tag}`}`;
}

/** Reads a `Nats-Msg-Id` back: its site and seq window, or undefined when it is not one of ours. */
export function parseMessageId(msgId: string | undefined): { site: string; first: number; last: number } | undefined {
  const match = /^([0-9a-f]{32}):(\d{1,16})-(\d{1,16})(?:~[0-9a-f]{16})?$/.exec(msgId ?? '');
  if (match === null) return undefined;
  return { site: match[1] as string, first: Number(match[2]), last: Number(match[3]) };
}

/**
 * Packs a page read with `readChanges(since, …)`: the changeset without its
 * HTTP cursor fields (`since`, `next`, `more`: the stream sequence is this
 * transport's cursor, so the merge must not move a peer's HTTP cursor), the
 * window and the schema fingerprint as headers, and `Ess-More` when the
 * publisher's log went on past the window (its next message continues it:
 * a receiver applies them together, so a write transaction is not seen in halves).
 * @param tag - for a page published again under another sync token (see {@link pageMessageId})
 */
export function encodePage(page: WireChangeset, since: number, next: number, tag?: string): PageMessage {
  const changeset = { protocol: page.protocol, site: page.site, schema: page.schema, sites: page.sites, changes: page.changes };
  const h = headers();
  const msgId = pageMessageId(page.site, since, next, tag);
  h.set(MSG_ID_HEADER, msgId);
  h.set(SCHEMA_HEADER, page.schema.fingerprint);
  h.set(SINCE_HEADER, String(since));
  h.set(NEXT_HEADER, String(next));
  h.set(ROWS_HEADER, String(page.changes.length));
  if (page.more === true) h.set(MORE_HEADER, '1');
  return { body: Buffer.from(JSON.stringify(changeset)), headers: h, msgId, rows: page.changes.length };
}

/** The site id a subject `ess.<stream>.<site>` belongs to, or undefined for a subject that is not a site's. */
export function siteOfSubject(subject: string): string | undefined {
  const site = subject.slice(subject.lastIndexOf('.') + 1);
  return /^[0-9a-f]{32}$/.test(site) ? site : undefined;
}
