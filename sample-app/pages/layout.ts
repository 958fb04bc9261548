import { html, type SafeHtml } from './html';

/** The path of the sync status page, linked from every page. */
export const SYNC_STATUS_PATH = '/api/sync/ui';

const NAV: ReadonlyArray<readonly [string, string]> = [
  ['/', 'Home'],
  ['/reports', 'Reports'],
  ['/reports/new', 'New report'],
  ['/photos', 'Pit photos'],
  [SYNC_STATUS_PATH, 'Sync status'],
];

/**
 * A whole page: head, the navigation (with the sync status link) and `body`.
 * Styles come from `/assets/app.css`; the page holds no script.
 */
export function layout(title: string, body: SafeHtml): string {
  const links = NAV.map(([href, label]) => html`<a href="${href}">${label}</a>`);
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title === 'Scouting' ? title : `${title} · Scouting`}</title>
<link rel="stylesheet" href="/assets/app.css">
</head>
<body>
<header><nav>${links}</nav></header>
<main>
<h1>${title}</h1>
${body}
</main>
</body>
</html>
`.value;
}

/** The style sheet served at `/assets/app.css`. */
export const APP_CSS = `body{font:16px/1.45 system-ui,sans-serif;margin:0;color:#222;background:#fafafa}
header{background:#1f3a5f;padding:.6rem 1.5rem}nav a{color:#fff;margin-right:1.2rem;text-decoration:none}nav a:hover{text-decoration:underline}
main{padding:1rem 1.5rem;max-width:70rem}h1{font-size:1.5rem}
table{border-collapse:collapse;width:100%;background:#fff}th,td{text-align:left;padding:.35rem .6rem;border-bottom:1px solid #ddd;vertical-align:top}
td.num,th.num{text-align:right}
form.entry{display:grid;grid-template-columns:max-content minmax(12rem,24rem);gap:.5rem 1rem;align-items:center}
form.entry textarea{min-height:5rem}form.entry button{grid-column:2;justify-self:start}
input,textarea,button{font:inherit;padding:.3rem .5rem}
.problems{border:1px solid #b42318;background:#fef3f2;color:#b42318;padding:.6rem 1rem;margin-bottom:1rem}
.notice{border:1px solid #1a7f37;background:#f0fdf4;color:#1a7f37;padding:.6rem 1rem;margin-bottom:1rem}
.muted{color:#666}
`;
