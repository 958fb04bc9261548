import path from 'node:path';
import type Database from 'better-sqlite3';
import { Router, type RequestHandler } from 'express';
import helmet from 'helmet';
import type { SyncLogger } from '../../lib/logger';
import { pageErrorHandler } from './error-page';
import { renderHome } from './home';
import { APP_CSS } from './layout';
import { addPhotoPages } from './photos';
import { addReportPages } from './reports';
import { ReportStore } from './report-store';

/** What {@link createPages} needs. */
export interface PagesOptions {
  /** The sample app's database, with the scouting schema. */
  readonly db: Database.Database;
  /** The data directory; photos live in its `uploads/pit/`. */
  readonly dataDir: string;
  /** Where failed page requests are logged. */
  readonly logger: SyncLogger;
}

/**
 * helmet's defaults, with one change: no `upgrade-insecure-requests`. The
 * sample app serves plain HTTP on a LAN by default, and with that directive a
 * browser on `http://192.168.x.y:5000` fetches the style sheet and posts the
 * forms to `https://…`, which fails (loopback is exempt, so tests on
 * 127.0.0.1 would not notice). Every URL on the pages is relative, so over
 * HTTPS the directive would add nothing.
 */
export function pageHelmet(): RequestHandler {
  return helmet({ contentSecurityPolicy: { directives: { upgradeInsecureRequests: null } } });
}

/**
 * The scouting app's HTML pages: `/`, `/reports`, `/reports/new`, `/photos`
 * and the style sheet `/assets/app.css`. Server-rendered, plain forms that
 * work without JavaScript, helmet's headers (see {@link pageHelmet}) on
 * every page, errors shown as pages.
 */
export function createPages(options: PagesOptions): Router {
  const router = Router();
  const guard = pageHelmet();
  const store = new ReportStore(options.db);
  const countReports = options.db.prepare<[], number>('SELECT count(*) FROM match_reports').pluck();
  router.get('/', guard, (_req, res) => {
    res.type('html').send(renderHome({ reports: countReports.get() ?? 0 }));
  });
  router.get('/assets/app.css', guard, (_req, res) => {
    res.type('text/css').set('Cache-Control', 'no-cache').send(APP_CSS);
  });
  addReportPages(router, store, guard);
  addPhotoPages(router, path.join(options.dataDir, 'uploads'), guard);
  router.use(pageErrorHandler(options.logger));
  return router;
}
