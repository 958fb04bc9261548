import type { RequestHandler, Response } from 'express';

/**
 * The sync router's answers are its wire format, read by peers that check
 * every field: `res.json` writes them with plain `JSON.stringify`, as
 * `sendSyncError` writes errors, whatever the app's `json replacer`,
 * `json spaces` or `json escape` settings (a replacer that drops `null`
 * values made every peer refuse `GET /data/info` with `PEER_BAD_ANSWER`).
 * Mounted by the router on its own requests only; the app's answers keep
 * its settings.
 */
export const plainJsonAnswers: RequestHandler = function plainJsonAnswers(_req, res, next) {
  res.json = function json(this: Response, body?: unknown): Response {
    if (this.get('Content-Type') === undefined) this.set('Content-Type', 'application/json; charset=utf-8');
    return this.send(JSON.stringify(body));
  };
  next();
};
