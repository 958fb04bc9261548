import type { IncomingMessage } from 'node:http';
import type { Request } from 'express';
import { SyncError } from '../lib/sync-error';
import { declaresBody } from './body-read-before';

/** Bytes each request's body had once read by a sync route's own JSON parser (its Content-Encoding undone). */
const bodyBytes = new WeakMap<IncomingMessage, number>();

/**
 * `express.json({ verify })` hook of the sync router's JSON routes: notes how
 * many bytes the body had, since the parser makes an empty body `{}`, which a
 * route would then refuse as a `{}` missing its fields.
 */
export function noteJsonBodyBytes(req: IncomingMessage, _res: unknown, body: Buffer): void {
  bodyBytes.set(req, body.length);
}

/**
 * True when the request brought no body: none declared (neither
 * `Content-Length` nor `Transfer-Encoding`, or `Content-Length: 0`), or a
 * chunked one of no bytes. A body an app parser in front of the router read
 * is not known here: it counts as one.
 */
export function jsonBodyEmpty(req: Request): boolean {
  return !declaresBody(req) || bodyBytes.get(req) === 0;
}

/**
 * Refuses a request to a JSON route that brought no body, naming that, with
 * the route's own code for a bad body: an empty body was refused as a body
 * that is not JSON (415, "send `Content-Type: application/json`" to a client
 * that did) or as a `{}` missing its first field.
 * @param route - the route as a client calls it: `POST /files/settled`
 * @param code - the route's code for a body of the wrong shape: `BAD_REQUEST`, `INVALID_CHANGESET`, `INVALID_RESOLUTION`
 * @param shape - what the body must be, as the message shows it
 * @throws SyncError `code` (400)
 */
export function refuseEmptyJsonBody(req: Request, route: string, code: string, shape: string): void {
  if (!jsonBodyEmpty(req)) return;
  throw new SyncError(code, 400, `${route}: the request body is empty; send ${shape} as JSON, with \`Content-Type: application/json\``);
}
