/**
 * The status page script, first half: building the page from `GET status`
 * and `GET data/conflicts` with DOM calls only (`textContent`, never HTML
 * strings), so nothing a peer or a row holds can become markup.
 */
export const RENDER_SCRIPT = String.raw`
  function span(seconds) {
    var a = Math.abs(seconds);
    return a < 120 ? a + ' s' : a < 7200 ? Math.round(a / 60) + ' min' : Math.round(a / 3600) + ' h';
  }
  // Times are the server's: how far its clock (the Date header of its last status answer) is ahead of this device's.
  var clockOffsetMs = 0;
  function serverClock(dateHeader) {
    var at = Date.parse(dateHeader || '');
    if (isFinite(at)) clockOffsetMs = at + 500 - Date.now(); // the header has whole seconds: the middle of that second
  }
  function secondsFromNow(iso) { return Math.round((Date.parse(iso) - (Date.now() + clockOffsetMs)) / 1000); }
  // A past event: one ahead of the server's clock by more than a minute was recorded while a clock was wrong.
  function when(iso) {
    if (!iso) return 'never';
    var s = secondsFromNow(iso);
    return s > 60 ? iso + " (ahead of the server's clock by " + span(s) + ': a clock was wrong when it was recorded)' : span(Math.min(0, s)) + ' ago';
  }
  function next(iso) { var s = secondsFromNow(iso); return s > 0 ? 'in ' + span(s) : 'due now'; }
  function text(value) {
    if (value === null || value === undefined) return '∅';
    return typeof value === 'object' ? JSON.stringify(value) : String(value);
  }
  function field(dl, label, value, name) {
    dl.appendChild(el('dt', label));
    var dd = el('dd', value);
    dd.dataset.field = name;
    dl.appendChild(dd);
  }
  var STATES = { ok: 'OK', syncing: 'Syncing…', 'never-synced': 'Not synced yet', failing: 'Failing',
    unreachable: 'Unreachable: the peer does not answer',
    'wrong-token': "Wrong token: the peer refused this server's token" };
  function changes(n, suffix) { return n === null || n === undefined ? 'unknown' : n + (n === 1 ? ' change' : ' changes') + (suffix || ''); }

  function lastSync(r) {
    return 'rows ↓' + r.rowsPulled + ' ↑' + r.rowsPushed + ', files ↓' + r.filesDown + ' ↑' + r.filesUp + ' ✗' + r.filesDeleted + ', ' + Math.round(r.durationMs) + ' ms';
  }
  function renderPeer(p) {
    var card = el('article', null, 'card peer');
    card.dataset.peer = p.url;
    card.dataset.key = 'peer:' + p.url;
    card.dataset.state = p.state;
    card.appendChild(el('h3', p.name || p.url, 'name'));
    card.appendChild(el('p', p.url, 'url'));
    var state = el('p', STATES[p.state] || p.state, 'state state-' + p.state);
    state.dataset.field = 'state';
    card.appendChild(state);
    filesOnlyNote(card, p);
    var dl = el('dl');
    field(dl, 'Last success', when(p.lastSuccessAt), 'last-success');
    if (p.filesOnly !== true) {
      field(dl, 'Not yet delivered', changes(p.undeliveredChanges), 'undelivered');
      field(dl, 'Not yet received', changes(p.lagChanges, p.lastContactAt ? ' (as of ' + when(p.lastContactAt) + ')' : ''), 'lag');
    }
    field(dl, 'Failures', String(p.failures), 'failures');
    // A backoff retry, or a round at the interval after one that failed only for its files (backingOff false).
    if (p.nextRunAt) field(dl, p.failures === 0 ? 'Next sync' : p.backingOff === false ? 'Next round' : 'Next retry', next(p.nextRunAt), 'next');
    // Measured by the data handshake: a peer that syncs files only has none (not "unknown").
    if (p.filesOnly !== true) field(dl, 'Clock skew', p.clockSkewMs === null || p.clockSkewMs === undefined ? 'unknown' : p.clockSkewMs + ' ms', 'skew');
    if (p.lastResult) field(dl, 'Last sync', lastSync(p.lastResult), 'last-sync');
    card.appendChild(dl);
    peerWarnings(card, p.lastResult);
    if (p.lastError) { var error = el('p', p.lastError, 'problem'); error.dataset.field = 'error'; card.appendChild(error); }
    return card;
  }

  function versionBox(title, values) {
    var box = el('div', null, 'version');
    box.appendChild(el('h4', title));
    if (values === null || values === undefined) { box.appendChild(el('p', 'none', 'muted')); return box; }
    if (typeof values !== 'object' || Array.isArray(values)) { box.appendChild(el('p', text(values))); return box; }
    var table = el('table');
    Object.keys(values).forEach(function (column) {
      var row = el('tr');
      row.appendChild(el('th', column));
      row.appendChild(el('td', text(values[column])));
      table.appendChild(row);
    });
    box.appendChild(table);
    return box;
  }
  /** The text an input shows for a wire value, and the wire value an edited text stands for. */
  function editable(value) { return value === null ? '' : typeof value === 'object' ? JSON.stringify(value) : String(value); }
  /** A number as JSON writes it, spaces around allowed: not 0x10, 0b1 or Infinity, which Number() also takes. */
  var DECIMAL = /^\s*-?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?\s*$/;
  function isDecimal(edited) { return DECIMAL.test(edited) && isFinite(Number(edited)); }
  function wireOf(original, edited) {
    if (edited === '' && original === null) return null;
    if (typeof original === 'number' && isDecimal(edited)) return Number(edited);
    if (original !== null && typeof original === 'object') { try { return JSON.parse(edited); } catch (e) { return edited; } }
    return edited;
  }
  // What went wrong with a conflict's last restore or discard, by id: shown on its card until it succeeds, across refreshes.
  var conflictProblems = {};
  /** A function showing a message on conflict c's card (its error line, role="alert"), or clearing it with ''. */
  function problemShower(c, problem) {
    return function (message) {
      if (message) conflictProblems[c.id] = message; else delete conflictProblems[c.id];
      problem.textContent = shown(message);
    };
  }
  /** A conflict as its card's title names it (table and key), for the accessible names of its buttons. */
  function conflictName(c) { return c.table + ' ' + text(c.key); }
  /** The restore form: every column but the key, prefilled with the kept-out version; only edited cells are sent. */
  function restoreForm(c, resolve) {
    var form = el('form', null, 'restore');
    var keys = c.keyColumns || [];
    var fields = [];
    Object.keys(c.parked || {}).forEach(function (column) {
      if (keys.indexOf(column) >= 0) return;
      var label = el('label', column + ' ');
      var shown = editable(c.parked[column]);
      // A one-line input drops line breaks from its value: text holding some is edited in a text box.
      var input = el(/[\r\n]/.test(shown) ? 'textarea' : 'input');
      input.name = column;
      input.defaultValue = shown;
      input.setAttribute('aria-describedby', 'conflict-problem-' + c.id); // the number check and a refused restore are said there
      label.appendChild(input);
      form.appendChild(label);
      // Untouched is what the field showed at first, as the field itself holds it (a text box writes CR LF as LF).
      fields.push({ column: column, input: input, original: c.parked[column], initial: input.value });
    });
    var restore = button('Restore with these values', 'restore', 'Restore with these values: ' + conflictName(c));
    restore.type = 'submit';
    form.appendChild(restore);
    var problem = el('p', conflictProblems[c.id] || null, 'error');
    problem.setAttribute('role', 'alert');
    problem.id = 'conflict-problem-' + c.id;
    form.appendChild(problem);
    var show = problemShower(c, problem);
    form.showProblem = show;
    form.addEventListener('submit', function (event) {
      event.preventDefault();
      var values = {};
      var wrong = [];
      fields.forEach(function (f) {
        if (f.input.value === f.initial) return;
        // A number stays a number: an emptied or mistyped number cell is not sent as text.
        if (typeof f.original === 'number' && !isDecimal(f.input.value)) wrong.push(f.column);
        else values[f.column] = wireOf(f.original, f.input.value);
      });
      problem.textContent = wrong.length === 0 ? '' : wrong.join(', ') + ' must be a number';
      if (wrong.length === 0) resolve(c, { action: 'restore', values: values }, show);
    });
    return form;
  }
  function renderConflict(c, resolve) {
    var card = el('article', null, 'card conflict');
    card.dataset.conflict = String(c.id);
    card.dataset.key = 'conflict:' + c.id;
    card.appendChild(el('h3', conflictName(c)));
    card.appendChild(el('p', c.reason + ': ' + c.message, 'muted'));
    var versions = el('div', null, 'versions');
    versions.appendChild(versionBox('Kept out of the table', c.parked));
    versions.appendChild(versionBox(c.reason === 'FOREIGN_KEY' ? 'Missing parent' : 'In the table', c.holder));
    card.appendChild(versions);
    card.appendChild(el('p', 'Edit what makes it clash (for example the scout\'s name), then restore it; or discard it. Either way every server follows.', 'muted'));
    var form = restoreForm(c, resolve);
    card.appendChild(form);
    var actions = el('p', null, 'actions');
    var discard = button('Discard it', 'discard', 'Discard it: ' + conflictName(c));
    discard.addEventListener('click', function () { resolve(c, { action: 'discard' }, form.showProblem); });
    actions.appendChild(discard);
    card.appendChild(actions);
    card.addEventListener('input', function () { card.dataset.edited = 'yes'; });
    return card;
  }

  /** Held deletions by peer and root, in order: a root is held back, and confirmed, as a whole, whatever side would lose files. */
  function heldByRoot(held) {
    var groups = [];
    var byKey = {};
    held.forEach(function (h) {
      var key = JSON.stringify([h.peer, h.root]);
      if (!byKey[key]) { byKey[key] = []; groups.push(byKey[key]); }
      byKey[key].push(h);
    });
    return groups;
  }
  function sideOf(h) { return h.side === 'here' ? 'on this server' : 'on the peer'; }
  /**
   * The held deletions of one root with one peer (one side, or both), its peer named as the peers' cards
   * name it (its name, else its URL); its one button confirms them all, and says so.
   */
  function renderHeld(group, confirm, peerName) {
    var h = group[0];
    var li = el('li');
    li.dataset.root = h.root;
    li.dataset.peer = h.peer;
    li.dataset.key = 'held:' + h.peer + ':' + h.root;
    li.dataset.update = 'in-place'; // focused, it is still updated: "Delete them" must never confirm more than it says
    var sides = group.map(function (s) { return s.count + ' of ' + s.files + ' files ' + sideOf(s) + ' (' + s.percent + ' %'; });
    var limit = 'the limit is ' + h.maxDeletePercent + ' %';
    li.appendChild(el('span', 'Syncing ' + h.root + ' with ' + peerName + ' would delete ' + (group.length === 1 ? sides[0] + ', ' + limit + '). ' : sides.join(') and ') + '); ' + limit + '. ')));
    var counts = group.map(function (s, i) { return s.count + (i === 0 ? ' files of ' + h.root + ' ' : ' ') + sideOf(s); });
    var go = button('Delete them', 'confirm', 'Delete them: ' + counts.join(' and ') + ', with ' + peerName);
    go.addEventListener('click', function () { confirm({ peer: li.dataset.peer, root: li.dataset.root }); }); // li is the one on screen (see place)
    li.appendChild(go);
    var examples = group.reduce(function (all, s) { return all.concat(s.examples || []); }, []);
    if (examples.length) li.appendChild(el('p', 'For example ' + examples.join(', '), 'muted'));
    return li;
  }
  function fill(list, items, render, empty) {
    place(list, items.length === 0 ? [el('li', empty, 'muted')] : items.map(render));
  }
  function fileLists(status) {
    var recent = status.fileConflicts || [];
    var kept = recent.map(function (f) {
      return el('li', f.path + ': the other version is ' + f.copyPath + ' (with ' + f.peer + ', ' + when(f.at) + ')');
    }).concat(copyItems(status.fileConflictCopies || [], recent));
    place($('file-conflicts'), kept.length === 0 ? [el('li', 'none', 'muted')] : kept);
    var refused = (status.refusals || []).map(function (r) {
      return r.status + ' ' + r.code + ': ' + r.method + ' ' + r.path + ' from ' + (r.from || 'unknown') + ', ' + when(r.at);
    });
    status.peers.forEach(function (p) {
      var errors = (p.lastResult && p.lastResult.fileErrors) || [];
      errors.forEach(function (e) { refused.push(e.code + ': ' + e.path + ' with ' + (p.name || p.url) + ': ' + e.message); });
      var more = ((p.lastResult && p.lastResult.fileErrorCount) || 0) - errors.length;
      if (more > 0) refused.push('… and ' + more + ' more file errors with ' + (p.name || p.url) + ' in its last round (retried next round)');
    });
    fill($('refusals'), refused, function (line) { return el('li', line); }, 'nothing refused lately');
  }
  function renderStatus(status, actions) {
    setText($('site'), (status.name ? status.name + ' · ' : '') + 'site ' + (status.site || '-') + ' · seq ' + (status.seq === null || status.seq === undefined ? '-' : status.seq));
    place($('peers'), status.peers.length === 0 ? [el('p', 'No peers configured (SYNC_PEERS).', 'muted')] : status.peers.map(renderPeer));
    renderTransports(status.transports || [], status.peers.length > 0);
    var changed = status.identityChange;
    $('identity').hidden = !changed;
    setText($('identity-text'), changed ? changed.code + ' at ' + when(changed.at) + ': ' + changed.detail + '. This server took the new site id ' + changed.current + ' (was ' + changed.previous + ') by itself; its rows are sent again to every peer and nothing is lost. Nothing to do.' : '');
    var held = status.heldDeletions || [];
    $('held').hidden = held.length === 0;
    var names = {};
    status.peers.forEach(function (p) { if (p.name) names[p.url] = p.name; });
    fill($('held-list'), heldByRoot(held), function (group) { return renderHeld(group, actions.confirm, names[group[0].peer] || group[0].peer); }, '');
    renderNameProblems(status.fileNameProblems || []);
    fileLists(status);
  }
  /** The conflicts of one page (from offset, of total); the page buttons are the caller's. */
  function renderConflicts(total, conflicts, resolve, offset, noData) {
    var shown = total > conflicts.length ? ' Showing ' + (conflicts.length ? (offset + 1) + '–' + (offset + conflicts.length) : 'none') + ' of ' + total + '.' : '';
    var summary = total === 0 ? 'None: every row is in its table.' : total + ' row(s) kept out of their table by a clash no merge rule settles; choose what to keep.' + shown;
    setText($('conflict-summary'), noData ? 'No data sync on this server (no database): it syncs files only.' : summary);
    // A card whose form the operator is editing or in is kept as it is (see place): the page refreshes every few seconds.
    place($('conflicts'), conflicts.map(function (c) { return renderConflict(c, resolve); }));
  }
`;
