import path from 'node:path';
import type Database from 'better-sqlite3';
import { Router, type ErrorRequestHandler } from 'express';
import { securityHeaders, type SyncLogger } from '../../index';
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
  /**
   * The app's `logRefusals` middleware, run before the pages' error page: their own refusals (a photo
   * over the limit, a photo that is a database) end there, never reaching the app's. The app's one
   * instance, so the bound of 10 lines a minute per caller and code is shared. @defaultValue none
   */
  readonly logRefusals?: ErrorRequestHandler;
}

/**
 * The scouting app's HTML pages: `/`, `/reports`, `/reports/new`, `/photos`
 * and the style sheet `/assets/app.css`. Server-rendered, plain forms that
 * work without JavaScript, helmet's headers (see `securityHeaders`) on
 * every page, errors shown as pages.
 */
export function createPages(options: PagesOptions): Router {
  const router = Router();
  const guard = securityHeaders();
  const store = new ReportStore(options.db);
  // A number whatever `db.defaultSafeIntegers` says (a BigInt cannot go in a page), as every read of the app's.
  const countReports = options.db.prepare<[], number>('SELECT count(*) FROM match_reports').pluck().safeIntegers(false);
  router.get('/', guard, (_req, res) => {
    res.type('html').send(renderHome({ reports: countReports.get() ?? 0 }));
  });
  router.get('/assets/app.css', guard, (_req, res) => {
    res.type('text/css').set('Cache-Control', 'no-cache').send(APP_CSS);
  });
  addReportPages(router, store, guard);
  addPhotoPages(router, path.join(options.dataDir, 'uploads'), guard);
  if (options.logRefusals !== undefined) router.use(options.logRefusals);
  router.use(pageErrorHandler(options.logger));
  return router;
}
