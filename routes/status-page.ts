import type { Request, Router } from 'express';
import { STATUS_PAGE_CSS, statusPageHtml } from './ui/page';
import { STATUS_PAGE_SCRIPT } from './ui/script-main';

/** Where the page's assets are, relative to the page's own URL: `ui/…` from `/ui`, `…` from `/ui/`. */
function assetPrefix(req: Request): string {
  return req.path.endsWith('/') ? '' : 'ui/';
}

/**
 * Serves the status page at `/ui` and `/ui/` and its two assets, without
 * authentication: they hold no data. The page asks for the token and reads
 * the authenticated endpoints with it; nothing is inline, so helmet's
 * Content-Security-Policy holds.
 */
export function mountStatusPage(router: Router): void {
  router.get(['/ui', '/ui/'], (req, res) => {
    res.type('html').set('Cache-Control', 'no-cache').send(statusPageHtml(assetPrefix(req)));
  });
  router.get('/ui/status.js', (_req, res) => {
    res.type('application/javascript').set('Cache-Control', 'no-cache').send(STATUS_PAGE_SCRIPT);
  });
  router.get('/ui/status.css', (_req, res) => {
    res.type('text/css').set('Cache-Control', 'no-cache').send(STATUS_PAGE_CSS);
  });
}
