import type { RequestHandler } from 'express';
import helmet from 'helmet';

/**
 * helmet's default headers, Content-Security-Policy included, with one
 * change: no `upgrade-insecure-requests`. Servers at an event often run plain
 * HTTP on a LAN; with that directive a browser on `http://192.168.x.y:5000`
 * fetches the page's script and style sheet, and sends its forms, to
 * `https://…`, which fails and leaves a dead page (loopback is exempt, so
 * tests on 127.0.0.1 would not notice). Every URL the pages use is relative,
 * so over HTTPS the directive would add nothing.
 */
export function securityHeaders(): RequestHandler {
  return helmet({ contentSecurityPolicy: { directives: { upgradeInsecureRequests: null } } });
}
