import express, { type RequestHandler } from 'express';
import { DEFAULTS } from '../lib/defaults';
import type { SyncLogger } from '../lib/logger';
import { SyncError } from '../lib/sync-error';
import { refuseUnreadBodyCoding } from '../middleware/body-coding';
import { boundedJsonBody } from '../middleware/bounded-json';
import { cutStalledBody } from '../middleware/stall';

/** Most bytes of a `POST /run` body read: enough to tell `{}` from a body that asks for something. */
export const RUN_BODY_BYTES = 1024;

/**
 * What a `POST /run` body asks for, in words, or undefined when it asks for
 * nothing: no body, only whitespace, or `{}` (some clients always send one).
 * A body read by an app parser in front of the router and left as nothing is nothing.
 */
function askedByBody(body: unknown): string | undefined {
  let value = body;
  if (Buffer.isBuffer(value) || typeof value === 'string') {
    const text = value.toString().replace(/^\uFEFF/, ''); // a byte order mark, as express.json() reads it: `{}` saved by a Windows editor
    if (text.trim() === '') return undefined;
    try {
      value = JSON.parse(text);
    } catch {
      return 'a body that is not JSON';
    }
  }
  if (value === undefined) return undefined;
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
    const [first] = Object.keys(value);
    return first === undefined ? undefined : `a body with ${JSON.stringify(first.slice(0, 80))}`;
  }
  return `a JSON ${value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value}`;
}

/**
 * The body readers of `POST /run`: any body (whatever its type), read up to
 * {@link RUN_BODY_BYTES} (413 past it), cut when it stalls, refused (415)
 * under a coding the router does not read.
 */
export function runBodyReaders(sendStallMs: number | undefined, logger: SyncLogger | undefined): RequestHandler[] {
  const raw = boundedJsonBody(express.raw({ type: () => true, limit: RUN_BODY_BYTES }), RUN_BODY_BYTES);
  return [refuseUnreadBodyCoding(), cutStalledBody(raw, sendStallMs ?? DEFAULTS.sendStallMs, logger)];
}

/**
 * `POST /run` syncs every peer and reads nothing from a body: one that asks
 * for something (`{ "peer": "<url>" }`, read as "sync this one") was ignored,
 * and every peer synced as if the request had been right. It is refused, as
 * such a query parameter is, and nothing is run.
 * @throws SyncError `BAD_REQUEST` (400)
 */
export function refuseRunBody(body: unknown): void {
  const asked = askedByBody(body);
  if (asked === undefined) return;
  throw new SyncError('BAD_REQUEST', 400, `POST /run takes no body (got ${asked}): it syncs every peer, and \`stream=ndjson\` goes in the query; the CLI's confirm-deletions and syncPeer() sync one peer (nothing was run)`);
}
