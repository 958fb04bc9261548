/**
 * The status page's HTML and style sheet. The page holds no data: its script
 * (see `script-main.ts` and the `script-*.ts` beside it) asks for the token once and reads `status`,
 * `data/conflicts` and `run` with it, like any peer would. Asset URLs are
 * relative to where the page was asked for, so `/ui` and `/ui/` both work,
 * also behind a proxy that moves the prefix.
 */

/**
 * The page, its assets found at `<assetPrefix>status.js` and `<assetPrefix>status.css`
 * (`ui/` from `/ui`, empty from `/ui/`). Without JavaScript it points at the
 * `status` route and the CLI's `status` command.
 */
export function statusPageHtml(assetPrefix: string): string {
  const router = assetPrefix === '' ? '../' : ''; // the sync router's base, relative to the page
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Sync status</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="${assetPrefix}status.css">
<script src="${assetPrefix}status.js" defer></script>
</head>
<body>
<header>
<p class="back"><a id="back" href="/">← Back to the app</a></p>
<h1>Sync status</h1>
<p id="site">&nbsp;</p>
</header>
<noscript><p class="notice">This page needs JavaScript. Without it, the same figures are JSON at <a href="${router}status">status</a> (send the sync token: <code>curl -H "Authorization: Bearer $SYNC_TOKEN" &lt;this address without /ui&gt;/status</code>), or in a terminal: <code>npx express-sqlite-sync status --url &lt;this server&gt;</code>.</p></noscript>
<p id="notice" class="notice" role="alert" hidden></p>
<form id="login" hidden>
<p id="login-error" class="problem" role="alert" hidden></p>
<label for="token">Sync token</label>
<input id="token" type="password" autocomplete="current-password" required>
<button type="submit">Show status</button>
</form>
<main id="status" hidden>
<p class="actions"><button id="run" type="button">Sync now</button> <button id="forget" type="button" class="quiet">Forget token</button> <span id="message" role="status"></span></p>
<section id="identity" class="warning" hidden><h2>New identity</h2><p id="identity-text"></p></section>
<section id="held" class="warning" hidden><h2>Deletions held back</h2><p>Every file is kept until you confirm.</p><ul id="held-list"></ul></section>
<section id="names" class="warning" hidden><h2>File names to fix</h2><ul id="names-list"></ul></section>
<section><h2>Peers</h2><div id="peers"></div></section>
<section><h2>Transports</h2><div id="transports"></div></section>
<section><h2>Data conflicts</h2><p id="conflict-summary"></p><div id="conflicts"></div><p id="conflict-pages" class="actions" hidden><button id="conflicts-previous" type="button" class="quiet">Previous 100</button> <button id="conflicts-next" type="button" class="quiet">Next 100</button></p></section>
<section><h2>File conflicts</h2><p class="muted">Changed on both sides: this server's version stays at the path, the other is kept beside it.</p><ul id="file-conflicts"></ul></section>
<section><h2>Refused</h2><ul id="refusals"></ul></section>
</main>
</body>
</html>
`;
}

/** The style sheet: one column of cards that fits a 390 px phone, long URLs and values wrapped, never scrolled sideways. */
export const STATUS_PAGE_CSS = `*{box-sizing:border-box}
[hidden]{display:none!important}
html{-webkit-text-size-adjust:100%}
body{font:15px/1.45 system-ui,sans-serif;margin:0 auto;padding:.8rem;max-width:60rem;color:#222;overflow-wrap:anywhere}
h1{font-size:1.4rem;margin:.2rem 0}h2{font-size:1.1rem;margin:1.2rem 0 .4rem}h3{font-size:1rem;margin:0}
header p{margin:.1rem 0;color:#555}.back a{color:#1f3a5f}
button{font:inherit;padding:.35rem .8rem;margin:.15rem .2rem .15rem 0}button.quiet{background:none;border:1px solid #999}
input{font:inherit;padding:.3rem .4rem;max-width:100%}
.actions{display:flex;flex-wrap:wrap;align-items:center;gap:.3rem}
.notice,.problem{border:1px solid #b42318;background:#fef3f2;color:#b42318;padding:.5rem .8rem}
.warning{border:1px solid #9a6700;background:#fff8e6;padding:.2rem .8rem .6rem}
.card{border:1px solid #ddd;border-radius:6px;padding:.6rem .8rem;margin:.5rem 0;background:#fff}
.card .url{color:#555;font-size:.9rem;margin:.1rem 0 .4rem}
dl{display:grid;grid-template-columns:minmax(7rem,max-content) minmax(0,1fr);gap:.15rem .8rem;margin:.3rem 0}
dt{color:#555}dd{margin:0;min-width:0}
.state{font-weight:600}.state-ok{color:#1a7f37}.state-syncing{color:#9a6700}
.state-failing,.state-unreachable,.state-wrong-token{color:#b42318}.state-never-synced{color:#555}
.caution{border-left:3px solid #9a6700;background:#fff8e6;padding:.2rem .6rem;margin:.3rem 0}
.versions{display:grid;grid-template-columns:repeat(auto-fit,minmax(14rem,1fr));gap:.5rem}
form.restore{display:flex;flex-wrap:wrap;align-items:end;gap:.3rem .6rem;margin:.4rem 0}form.restore label{display:flex;flex-direction:column;font-size:.85rem;max-width:100%}form.restore input,form.restore textarea{font:inherit;width:12rem;max-width:100%;box-sizing:border-box}
table{border-collapse:collapse;width:100%;table-layout:fixed}th,td{text-align:left;padding:.15rem .3rem;border-bottom:1px solid #eee;vertical-align:top}
th{width:40%;color:#555;font-weight:400}
ul{padding-left:1.2rem}li{margin:.2rem 0}.muted{color:#666}
code{font-size:.9em;white-space:pre-wrap}
`;
