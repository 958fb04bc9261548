import { html } from './html';
import { layout, SYNC_STATUS_PATH } from './layout';

/** The home page: what the app does and where to go. */
export function renderHome(counts: { readonly reports: number }): string {
  return layout(
    'Scouting',
    html`<p>Match reports and pit photos, kept in step between every server of the event.</p>
<ul>
<li><a href="/reports">Match reports</a> (${counts.reports})</li>
<li><a href="/reports/new">Enter a match report</a></li>
<li><a href="/photos">Pit photos</a></li>
<li><a href="${SYNC_STATUS_PATH}">Sync status</a> (needs the sync token)</li>
</ul>`,
  );
}
