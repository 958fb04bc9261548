import type { Request, RequestHandler } from 'express';
import { SyncError } from '../lib/sync-error';
import { readRawQuery, type FileQuery } from '../lib/files/raw-query';

/** Decimal ASCII digits: leading zeros, then at most 16 more (2^53 has 16). */
const DIGITS = /^0*[0-9]{1,16}$/;

/** What a data route does with a query parameter it does not take. */
export type UnknownParameters = 'refuse' | 'pass';

/**
 * The query of a data route as sent (`readRawQuery`: an app's `query parser`
 * setting, `false` or `'extended'`, changes nothing). A parameter the route
 * takes written as an array or an object (`since[]=5`, `limit[x]=1`) is
 * refused rather than passed over (the page would start from 0), and so is a
 * name the route does not take (`sinc=5`, a typo: the page would start from
 * 0 too), unless `unknown` is `'pass'`: `GET /data/info`, which a newer
 * client asks before it knows this server's version (docs/PROTOCOL.md, "Query parameters").
 * @param route - the route as people write it (`GET /data/changes`), for the message
 * @throws SyncError `BAD_QUERY` (400) naming the parameter
 */
export function dataQuery(req: Request, route: string, names: readonly string[], unknown: UnknownParameters = 'refuse'): FileQuery {
  const query = readRawQuery(req.originalUrl);
  for (const name of Object.keys(query)) {
    if (names.includes(name)) continue;
    const bracket = name.indexOf('[');
    const taken = bracket > 0 ? name.slice(0, bracket) : undefined;
    if (taken !== undefined && names.includes(taken)) throw new SyncError('BAD_QUERY', 400, `\`${taken}\` must be given once, as ${taken}=<value>, not as ${JSON.stringify(name).slice(0, 80)}`);
    if (unknown === 'refuse') throw unknownParameter(route, names, name);
  }
  return query;
}

function unknownParameter(route: string, names: readonly string[], name: string): SyncError {
  const takes = names.length === 0 ? 'takes no query parameters' : `takes only ${names.join(', ')}`;
  return new SyncError('BAD_QUERY', 400, `unknown query parameter ${JSON.stringify(name.slice(0, 80))}: ${route} ${takes} (nothing was done)`);
}

/**
 * A handler refusing any query parameter on a route that takes none (a POST
 * whose inputs are in its body, or `GET /data/snapshot`), before a body is read.
 * @throws SyncError `BAD_QUERY` (400) naming the first parameter
 */
export function refuseAnyQuery(route: string): RequestHandler {
  return (req, _res, next) => {
    dataQuery(req, route, []);
    next();
  };
}

/**
 * An integer query parameter: absent, the fallback; given, decimal ASCII
 * digits from `min` to `max`, once. An empty value (`?protocol=`, `?since=`,
 * a script's unset variable) is refused, never read as the default.
 * @throws SyncError `BAD_QUERY` (400)
 */
export function readInteger(value: unknown, name: string, fallback: number, min: number, max: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'string' || !DIGITS.test(value) || Number(value) < min || Number(value) > max) {
    const empty = value === '' ? ` (\`${name}=\` is empty: leave it out for the default)` : '';
    throw new SyncError('BAD_QUERY', 400, `\`${name}\` must be an integer from ${min} to ${max}, given once${empty}`);
  }
  return Number(value);
}

/**
 * A query parameter matching `pattern`, once; undefined when absent.
 * @throws SyncError `BAD_QUERY` (400)
 */
export function readPattern(value: unknown, name: string, pattern: RegExp, what: string): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || !pattern.test(value)) throw new SyncError('BAD_QUERY', 400, `\`${name}\` must be ${what}, given once`);
  return value;
}
