import type { RequestHandler } from 'express';
import { knownOptions } from '../lib/option-checks';
import { SyncError } from '../lib/sync-error';

/** Methods that never write. */
const SAFE_METHODS: ReadonlySet<string> = new Set(['GET', 'HEAD', 'OPTIONS']);

/** The sync router's words for a refused cross-site write; `what` quotes the header that told. */
function routerMessage(what: string): string {
  return `refused: a browser sent this write on behalf of another web site (${what}); nothing was done. Use this server's status page, the CLI or a peer`;
}

/** The option names {@link refuseCrossSiteWrites} knows. */
const CROSS_SITE_OPTIONS: ReadonlySet<string> = new Set(['message']);

/** Options of {@link refuseCrossSiteWrites}. */
export interface CrossSiteOptions {
  /** The refusal's message, from the refused header as quoted (`Origin: https://evil.example`); by default the sync router's. */
  readonly message?: (what: string) => string;
}

/** A header value as the refusal quotes it (in the answer and the log): visible ASCII only, at most `max` characters. */
function quoted(value: string, max: number): string {
  return value.replace(/[^\x20-\x7e]/g, '?').slice(0, max);
}

/** The host (and port) of an `Origin` header, or undefined for `null` and anything unparsable. */
function originHost(origin: string): string | undefined {
  try {
    return new URL(origin).host;
  } catch {
    return undefined;
  }
}

/**
 * Refuses writes (`POST`, `PUT`, `DELETE`, …) a browser sends on behalf of
 * another web site, as Go's `net/http.CrossOriginProtection` decides: a
 * browser's `Sec-Fetch-Site` must be `same-origin` (the status page) or `none`
 * (typed by the user); without it, an `Origin` must name this host; a request
 * with neither comes from no browser (a peer, the CLI, curl) and passes. Reads
 * pass. Without a token (`allowUnauthenticatedPeers`), any page a browser on
 * the network opened could otherwise upload a file that syncs everywhere or
 * confirm every held deletion with an empty form post. An app guards its own
 * pages and API with it too, in its own words (`options.message`). The refused
 * header is quoted in visible ASCII only (it reaches the log).
 * @returns a middleware answering 403 `CROSS_SITE_REFUSED`
 * @throws TypeError for options that are not an object or hold another key than `message`, and for a `message` that is not a function
 */
export function refuseCrossSiteWrites(options: CrossSiteOptions = {}): RequestHandler {
  knownOptions(options, CROSS_SITE_OPTIONS, 'refuseCrossSiteWrites');
  const message = options.message ?? routerMessage;
  if (typeof message !== 'function') throw new TypeError('express-sqlite-sync: `message` of refuseCrossSiteWrites must be a function (what) => string');
  const crossSite = (what: string): SyncError => new SyncError('CROSS_SITE_REFUSED', 403, message(what));
  return function crossSiteWrites(req, _res, next) {
    if (SAFE_METHODS.has(req.method)) return next();
    const site = req.get('sec-fetch-site');
    if (site !== undefined) return next(site === 'same-origin' || site === 'none' ? undefined : crossSite(`Sec-Fetch-Site: ${quoted(site, 40)}`));
    const origin = req.get('origin');
    if (origin === undefined) return next();
    return next(originHost(origin) === req.get('host') ? undefined : crossSite(`Origin: ${quoted(origin, 200)}`));
  };
}
