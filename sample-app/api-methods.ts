import type { RequestHandler } from 'express';
import { SyncError } from '../index';

/** The JSON API's paths (under `/api`) and the methods each takes (`HEAD` with `GET`, as Express answers it). */
const API_METHODS: ReadonlyArray<readonly [RegExp, readonly string[]]> = [
  [/^\/health\/?$/, ['GET', 'HEAD']],
  [/^\/teams\/?$/, ['GET', 'HEAD', 'POST']],
  [/^\/matches\/?$/, ['GET', 'HEAD', 'POST']],
  [/^\/reports\/?$/, ['GET', 'HEAD', 'POST']],
  [/^\/reports\/[^/]+\/?$/, ['PATCH', 'DELETE']],
  [/^\/events\/?$/, ['POST']],
];

/** The methods the JSON API takes at `path` (relative to `/api`); empty for a path it does not have. */
export function apiMethodsAt(path: string): readonly string[] {
  return API_METHODS.find(([pattern]) => pattern.test(path))?.[1] ?? [];
}

/**
 * Answers a method the JSON API does not take at a path it has, as the sync router does: 405
 * `METHOD_NOT_ALLOWED` with `Allow` (it was 404 `NOT_FOUND`, "no API route PUT /teams", as if the path
 * were wrong), and `OPTIONS` with 204 and `Allow` (Express answered it with a text body). It comes before
 * the body is looked at, so a `PUT` is told its method, not its `Content-Type`.
 */
export function answerWrongApiMethods(): RequestHandler {
  return function wrongApiMethod(req, res, next) {
    const allowed = apiMethodsAt(req.path);
    if (allowed.length === 0 || allowed.includes(req.method)) {
      next();
      return;
    }
    if (req.method === 'OPTIONS') {
      res.setHeader('Allow', [...allowed, 'OPTIONS'].join(', '));
      res.status(204).end();
      return;
    }
    res.setHeader('Allow', allowed.join(', '));
    next(new SyncError('METHOD_NOT_ALLOWED', 405, `${req.method} is not a method of /api${req.path}; it takes ${allowed.join(', ')}`));
  };
}
