import { SyncError } from '../lib/sync-error';

/** What JSON value a text is at its top level, when it parses: `null`, a number, a string, `true` or `false`. */
function scalarKind(text: string): string | undefined {
  try {
    const value: unknown = JSON.parse(text);
    if (value === null) return '`null`';
    return typeof value === 'object' ? undefined : `a ${typeof value}`;
  } catch {
    return undefined;
  }
}

/**
 * body-parser's `entity.parse.failed` as 400 `MALFORMED_JSON`, saying what the
 * body held when that is plain: only whitespace (no JSON value at all), or a
 * JSON `null`, number, string or boolean where a route that takes only an
 * object or array (`strict`) was sent one. Else the parse failed: the body is not JSON.
 * @param body - the body text body-parser read (its `body` property), when it kept it
 */
export function jsonParseFailure(body: unknown, cause: unknown): SyncError {
  const text = typeof body === 'string' ? body : '';
  if (typeof body === 'string' && text.trim() === '') {
    return new SyncError('MALFORMED_JSON', 400, 'the request body holds only whitespace, no JSON value: send the JSON body the route takes', { cause });
  }
  const kind = scalarKind(text);
  if (kind !== undefined) return new SyncError('MALFORMED_JSON', 400, `the request body is ${kind} at its top level, not a JSON object or array`, { cause });
  return new SyncError('MALFORMED_JSON', 400, 'the request body is not valid JSON, or its top level is not an object or array', { cause });
}
