import express, { type RequestHandler, type Router } from 'express';
import { boundedJsonBody } from '../../index';
import { html } from './html';
import { layout } from './layout';
import { EMPTY_REPORT_FORM, readReportForm, renderReportForm } from './report-form';
import { DuplicateReportError, type ReportListRow, type ReportStore } from './report-store';

/**
 * Largest form body `POST /reports/new` takes: all its fields' `maxlength` lets a browser send (twice each limit in
 * UTF-16 units, see report-form.ts), 20,000 units of notes taking up to 180 KB URL-encoded (`日` is `%E6%97%A5`),
 * so a report too long is shown again with its problem, never lost to a 413 page.
 */
const FORM_BODY_BYTES = 256 * 1024;

/** The form parser; a body over the limit is 413 before it is read (or as soon as a chunked one grows past it). */
const readForm = boundedJsonBody(express.urlencoded({ extended: false, limit: FORM_BODY_BYTES, parameterLimit: 20 }), FORM_BODY_BYTES);

/** Reports shown on the list page at most. */
export const REPORT_LIST_LIMIT = 1000;

function teamCell(row: ReportListRow): string {
  if (row.team_number === null) return '(team not synced yet)';
  return `${row.team_number} ${row.team_name ?? ''}`.trim();
}

/** The report list page, newest first. */
export function renderReportList(rows: readonly ReportListRow[]): string {
  const lines = rows.map(
    (row) => html`<tr data-report="${row.id}">
<td>${row.match_label ?? '(match not synced yet)'}</td><td>${teamCell(row)}</td><td>${row.scout}</td>
<td class="num">${row.auto_points}</td><td class="num">${row.teleop_points}</td><td>${row.notes}</td></tr>`,
  );
  const more = rows.length >= REPORT_LIST_LIMIT ? html`<p class="muted">Showing the newest ${REPORT_LIST_LIMIT} reports.</p>` : '';
  const table =
    rows.length === 0
      ? html`<p>No reports yet. <a href="/reports/new">Enter the first one</a>.</p>`
      : html`<table>
<thead><tr><th>Match</th><th>Team</th><th>Scout</th><th class="num">Auto</th><th class="num">Teleop</th><th>Notes</th></tr></thead>
<tbody>${lines}</tbody>
</table>${more}`;
  return layout('Match reports', html`<p><a href="/reports/new">New report</a></p>${table}`);
}

/**
 * `GET /reports`, `GET /reports/new` and `POST /reports/new`: a valid entry
 * is saved and answered with a redirect to the list (303); a bad one shows
 * the form again with its problems (400), a duplicate says so (409).
 */
export function addReportPages(router: Router, store: ReportStore, guard: RequestHandler): void {
  router.get('/reports', guard, (_req, res) => {
    res.type('html').send(renderReportList(store.list(REPORT_LIST_LIMIT)));
  });
  router.get('/reports/new', guard, (_req, res) => {
    res.type('html').send(renderReportForm(EMPTY_REPORT_FORM, {}));
  });
  router.post('/reports/new', guard, readForm, (req, res) => {
    const { values, problems, entry } = readReportForm(req.body);
    if (entry === undefined) {
      res.status(400).type('html').send(renderReportForm(values, problems));
      return;
    }
    try {
      store.add(entry);
    } catch (error) {
      if (!(error instanceof DuplicateReportError)) throw error;
      res.status(409).type('html').send(renderReportForm(values, {}, `${error.message}: each scout reports a team once per match.`));
      return;
    }
    res.redirect(303, '/reports');
  });
}
