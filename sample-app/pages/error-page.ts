import type { ErrorRequestHandler } from 'express';
import { toSyncError, type SyncLogger } from '../../index';
import { html } from './html';
import { layout } from './layout';

/** Plainer words for the codes a person meets on the pages. */
const HINTS: Readonly<Record<string, string>> = {
  NO_FILE: 'Choose a photo to upload first.',
  DB_FILE_REFUSED: 'Database files are never uploaded: the data in them syncs as rows, not as a file.',
  DB_CONTENT_REFUSED: 'This file is an SQLite database, whatever its name. Database files are never uploaded: their data syncs as rows.',
  FILE_TOO_LARGE: 'The file is too large for a pit photo.',
  NOT_A_PHOTO: 'Only photos can be uploaded here.',
  BAD_PATH: 'The file name cannot be stored as it is; rename the file and try again.',
  ROOT_MISSING: 'The photos folder is missing on this server, so nothing was saved. Ask whoever runs it to create the folder named below.',
  PIT_FOLDER_LINKED: 'The photos folder on this server is a link to another place, from where photos never sync, so nothing was saved. Ask whoever runs it to make it a folder again, as said below.',
  BODY_TOO_LARGE: 'The report is too long to save; shorten the notes (10,000 characters at most).',
  CROSS_SITE_REFUSED: 'This form was sent from another web site, so nothing was saved. Use this app\'s own pages.',
  INSUFFICIENT_STORAGE: 'This server\'s disk is full, so nothing was saved. Ask whoever runs it to free some space.',
  STORAGE_NOT_WRITABLE: 'This server cannot save what you sent: its disk, folder or database is read-only (or belongs to another user), so nothing was saved. Ask whoever runs it to make it writable.',
};

/** Where a person goes back to from an error on `path`. */
function backLink(path: string): { href: string; label: string } {
  if (path.startsWith('/photos')) return { href: '/photos', label: 'Back to the pit photos' };
  if (path.startsWith('/reports')) return { href: '/reports', label: 'Back to the reports' };
  return { href: '/', label: 'Back home' };
}

/**
 * The pages' error middleware: the same codes and statuses as the sync API,
 * shown as a readable HTML page. A 5xx says only that something went wrong
 * (or, for a full or read-only disk, what to ask for) and logs the detail; a refused GET (a bad photo path) is "Cannot show this", not "Not saved".
 */
export function pageErrorHandler(logger: SyncLogger): ErrorRequestHandler {
  return function pageErrorMiddleware(err: unknown, req, res, next) {
    const error = toSyncError(err);
    if (error.status >= 500) logger.error({ event: 'request.failed', status: error.status, code: error.code, method: req.method, path: req.originalUrl.split('?')[0], err: error.cause ?? error }, 'page request failed');
    if (res.headersSent) {
      if (!res.writableFinished) next(err); // cut off mid-answer: let Express close the connection
      return;
    }
    // A page or a photo asked for (GET, HEAD) saves nothing: the words about saving an upload do not fit it.
    const reading = req.method === 'GET' || req.method === 'HEAD';
    const hint = reading ? undefined : HINTS[error.code];
    const title = error.status >= 500 && hint === undefined ? 'Something went wrong' : error.status === 404 ? 'Not found' : reading ? 'Cannot show this' : 'Not saved';
    // A 5xx's message is for the log, but one the pages know (a full or read-only disk) is the person's to pass on: "try again" would not help.
    const detail = error.status >= 500 && hint === undefined ? 'The server could not finish this request; try again.' : error.message;
    const back = backLink(req.path);
    const body = html`<div class="problems" role="alert"><p>${hint ?? detail}</p>
${hint === undefined ? '' : html`<p>${detail}</p>`}
<p class="muted">${error.status} ${error.code}</p></div>
<p><a href="${back.href}">${back.label}</a></p>`;
    res.status(error.status).type('html').send(layout(title, body));
  };
}
