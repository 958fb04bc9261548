import type { RequestHandler, Router } from 'express';
import { SyncError } from '../lib/sync-error';

/** What this module reads of an Express router's layers (the `router` package's `Layer` and `Route`). */
interface LayerView {
  /**
   * The match of the layer's path (a `use` layer's: as a prefix, its `path` the matched part), or false; changes nothing.
   * Before router 2.3 it answered `true` and kept the matched part in the layer's own `path`.
   */
  match(path: string): boolean | { readonly path?: unknown };
  readonly path?: unknown;
  readonly route?: { readonly methods: Readonly<Record<string, boolean | undefined>>; readonly stack?: readonly { readonly handle?: unknown }[] };
  readonly handle?: unknown;
}

/**
 * The handler of a `HEAD` route that refuses `HEAD` where a `GET` route would answer it (Express answers
 * `HEAD` with a `GET` route): such a path's `Allow` leaves `HEAD` out.
 */
export const refuseHead: RequestHandler = (_req, _res, next) => next('router');

/** What {@link collectMethods} notes for a path whose `HEAD` is refused by {@link refuseHead}. */
const HEAD_REFUSED = '!HEAD';

/** The layers of a router, or undefined for a handler that is no router. */
function layersOf(handle: unknown): readonly LayerView[] | undefined {
  const stack = (handle as { stack?: unknown } | undefined)?.stack;
  return Array.isArray(stack) ? (stack as LayerView[]) : undefined;
}

/** Adds the methods of every route of `layers` (and of the routers mounted in them) that matches `path`. */
function collectMethods(layers: readonly LayerView[], path: string, into: Set<string>): void {
  for (const layer of layers) {
    if (typeof layer.match !== 'function') return; // another router's layers: no Allow known, so the JSON 404 as before
    const matched = layer.match(path);
    if (matched === false || typeof matched !== 'object' && matched !== true) continue;
    if (layer.route !== undefined) {
      if (layer.route.stack?.some((step) => step.handle === refuseHead) === true) {
        into.add(HEAD_REFUSED);
        continue;
      }
      for (const [method, on] of Object.entries(layer.route.methods)) if (on === true && method !== '_all') into.add(method.toUpperCase());
      continue;
    }
    const inner = layersOf(layer.handle);
    const prefix = matched === true ? layer.path : matched.path;
    if (typeof prefix !== 'string') return; // a layer of another shape: no Allow known, so the JSON 404 as before
    if (inner !== undefined) collectMethods(inner, path.slice(prefix.length) || '/', into);
  }
}

/** The methods at a path, and whether {@link refuseHead} refuses `HEAD` there. */
function methodsAt(router: Router, path: string): { readonly allowed: string[]; readonly headRefused: boolean } {
  const methods = new Set<string>();
  collectMethods(layersOf(router) ?? [], path, methods);
  const headRefused = methods.delete(HEAD_REFUSED);
  if (headRefused) methods.delete('HEAD');
  else if (methods.has('GET')) methods.add('HEAD');
  const order = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'];
  return { allowed: [...methods].sort((a, b) => (order.indexOf(a) + 1 || 99) - (order.indexOf(b) + 1 || 99)), headRefused };
}

/** The methods the routes of `router` answer at `path`, in a fixed order (`HEAD` with `GET`, unless {@link refuseHead} refuses it there); empty for a path no route has. */
export function allowedMethods(router: Router, path: string): string[] {
  return methodsAt(router, path).allowed;
}

/**
 * Answers what no route of `router` takes at a path some route has: `OPTIONS`
 * with 204 and `Allow` (Express would answer it as text), any other method
 * with 405 `METHOD_NOT_ALLOWED`, `Allow` and the JSON error (Express would
 * answer 404), its message naming the path as asked (with where `router` is
 * mounted: `/api/teams`). A path no route has goes on (to the JSON 404).
 * Mount it on `router` itself, before its routes (`api.use(answerWrongMethods(api))`):
 * the methods are read from the routes at each request, so routes added later count,
 * and those of routers mounted in it. `HEAD` is taken with `GET`.
 * @throws TypeError when `router` is not an Express router
 */
export function answerWrongMethods(router: Router): RequestHandler {
  if (typeof router !== 'function' || layersOf(router) === undefined) {
    throw new TypeError('express-sqlite-sync: answerWrongMethods(router) takes the express.Router() whose routes it answers for (`api.use(answerWrongMethods(api))`)');
  }
  return function wrongMethod(req, res, next) {
    let allowed: string[];
    let headRefused = false;
    try {
      ({ allowed, headRefused } = methodsAt(router, req.path));
    } catch {
      allowed = []; // a router of another version than this reads: the JSON 404, never a 500
    }
    // A HEAD refused on purpose goes on to the JSON 404, as documented for those routes (their Allow leaves it out).
    if (allowed.length === 0 || (allowed.includes(req.method) && req.method !== 'OPTIONS') || (headRefused && req.method === 'HEAD')) {
      next();
      return;
    }
    if (req.method === 'OPTIONS') {
      res.setHeader('Allow', [...allowed, 'OPTIONS'].join(', '));
      res.status(204).end();
      return;
    }
    res.setHeader('Allow', allowed.join(', '));
    next(new SyncError('METHOD_NOT_ALLOWED', 405, `${req.method} is not a method of ${req.baseUrl}${req.path}; it takes ${allowed.join(', ')}`));
  };
}
