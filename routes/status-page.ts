import type { Router } from 'express';

/**
 * The status page: plain HTML, one script and one style sheet served from
 * the router itself (no build step, no CDN, nothing inline, so helmet's
 * default Content-Security-Policy holds). The page and its script carry no
 * data; the script asks for the token once (kept in sessionStorage) and
 * reads `GET status` with it, like any peer would.
 */
const PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Sync status</title>
<link rel="stylesheet" href="ui/status.css">
<script src="ui/status.js" defer></script>
</head>
<body>
<header><h1>Sync status</h1><p id="site">&nbsp;</p></header>
<form id="login" hidden>
  <label>Sync token <input id="token" type="password" autocomplete="current-password" required></label>
  <button type="submit">Show status</button>
</form>
<main id="status" hidden>
  <p><button id="run" type="button">Sync now</button> <span id="message" role="status"></span></p>
  <table>
    <thead><tr><th>Peer</th><th>State</th><th>Last success</th><th>Lag</th><th>Clock skew</th><th>Last sync</th></tr></thead>
    <tbody id="peers"></tbody>
  </table>
  <h2>Transports</h2>
  <table>
    <thead><tr><th>Transport</th><th>Name</th><th>State</th><th>Position</th><th>Lag</th><th>Detail</th></tr></thead>
    <tbody id="transports"></tbody>
  </table>
  <p id="conflicts"></p>
</main>
</body>
</html>
`;

const STYLE = `body{font:15px/1.4 system-ui,sans-serif;margin:1.5rem;color:#222}
h1{font-size:1.4rem;margin:0}h2{font-size:1.1rem;margin:1.2rem 0 .4rem}header p{color:#666;margin:.2rem 0 1rem}
table{border-collapse:collapse;width:100%}th,td{text-align:left;padding:.35rem .6rem;border-bottom:1px solid #ddd}
.ok{color:#1a7f37}.failing{color:#b42318}.syncing{color:#9a6700}button{font:inherit;padding:.3rem .8rem}
`;

const SCRIPT = `'use strict';
(function () {
  var base = location.pathname.replace(/\\/ui\\/?$/, '/');
  var $ = function (id) { return document.getElementById(id); };
  function token() { return sessionStorage.getItem('express-sqlite-sync-token'); }
  function cell(text, className) { var td = document.createElement('td'); td.textContent = text; if (className) td.className = className; return td; }
  function ago(iso) { if (!iso) return 'never'; var s = Math.round((Date.now() - Date.parse(iso)) / 1000); return s < 120 ? s + ' s ago' : Math.round(s / 60) + ' min ago'; }
  function call(method, path) {
    return fetch(base + path, { method: method, headers: { Authorization: 'Bearer ' + token(), Accept: 'application/json' } }).then(function (r) {
      if (r.status === 401) { sessionStorage.removeItem('express-sqlite-sync-token'); show(); throw new Error('wrong token'); }
      return r.json();
    });
  }
  function render(status) {
    $('site').textContent = 'site ' + (status.site || '-') + ' · seq ' + (status.seq == null ? '-' : status.seq);
    var rows = $('peers'); rows.textContent = '';
    status.peers.forEach(function (p) {
      var tr = document.createElement('tr');
      var state = p.running ? ['syncing', 'syncing'] : p.lastError ? ['failing: ' + p.lastError, 'failing'] : ['ok', 'ok'];
      var last = p.lastResult ? 'rows ↓' + p.lastResult.rowsPulled + ' ↑' + p.lastResult.rowsPushed + ', files ↓' + p.lastResult.filesDown + ' ↑' + p.lastResult.filesUp : '';
      [cell(p.url), cell(state[0], state[1]), cell(ago(p.lastSuccessAt)), cell(p.lagChanges == null ? '' : String(p.lagChanges)), cell(p.clockSkewMs == null ? '' : p.clockSkewMs + ' ms'), cell(last)].forEach(function (td) { tr.appendChild(td); });
      tr.dataset.peer = p.url;
      rows.appendChild(tr);
    });
    if (status.peers.length === 0) { var tr = document.createElement('tr'); tr.appendChild(cell('no peers configured')); rows.appendChild(tr); }
    renderTransports(status.transports || []);
    $('conflicts').textContent = status.conflicts + ' data conflict(s) recorded';
  }
  function renderTransports(list) {
    var rows = $('transports'); rows.textContent = '';
    list.forEach(function (t) {
      var tr = document.createElement('tr');
      var n = t.nats;
      var detail = n ? 'stream ' + n.stream + ' (' + (n.streamLastSeq == null ? '?' : n.streamLastSeq) + '), published to seq ' + n.publishedSeq + (n.connectedTo ? ', via ' + n.connectedTo : '') + (n.catchUp ? ', catching up over ' + n.catchUp.via + ': ' + n.catchUp.reason : '') : '';
      if (t.lastError) detail += (detail ? '; ' : '') + t.lastError.code + ': ' + t.lastError.message;
      var cls = t.state === 'failing' || t.state === 'disconnected' ? 'failing' : t.state === 'connecting' ? 'syncing' : 'ok';
      [cell(t.kind === 'nats' ? 'NATS JetStream' : 'HTTP'), cell(t.name), cell(t.state, cls), cell(t.position == null ? '' : String(t.position)), cell(t.lag == null ? '' : String(t.lag)), cell(detail)].forEach(function (td) { tr.appendChild(td); });
      tr.dataset.transport = t.kind;
      rows.appendChild(tr);
    });
    if (list.length === 0) { var tr = document.createElement('tr'); tr.appendChild(cell('no transports')); rows.appendChild(tr); }
  }
  function refresh() { if (token()) call('GET', 'status').then(render).catch(function (e) { $('message').textContent = e.message; }); }
  function show() { var known = !!token(); $('login').hidden = known; $('status').hidden = !known; if (known) refresh(); }
  document.addEventListener('DOMContentLoaded', function () {
    $('login').addEventListener('submit', function (event) { event.preventDefault(); sessionStorage.setItem('express-sqlite-sync-token', $('token').value); show(); });
    $('run').addEventListener('click', function () {
      $('message').textContent = 'syncing…';
      call('POST', 'run').then(function (answer) { $('message').textContent = 'done: ' + answer.results.filter(function (r) { return r.ok; }).length + '/' + answer.results.length + ' peers ok'; refresh(); })
        .catch(function (e) { $('message').textContent = e.message; });
    });
    show();
    setInterval(refresh, 3000);
  });
})();
`;

/** Serves the status page and its assets under `/ui`, without authentication (they hold no data). */
export function mountStatusPage(router: Router): void {
  router.get('/ui', (_req, res) => {
    res.type('html').send(PAGE);
  });
  router.get('/ui/status.js', (_req, res) => {
    res.type('application/javascript').send(SCRIPT);
  });
  router.get('/ui/status.css', (_req, res) => {
    res.type('text/css').send(STYLE);
  });
}
