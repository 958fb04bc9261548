import { DOM_SCRIPT } from './script-dom';
import { RENDER_SCRIPT } from './script-render';
import { TRANSPORTS_SCRIPT } from './script-transports';
import { NAMES_SCRIPT } from './script-names';
import { WARNINGS_SCRIPT } from './script-warnings';

/**
 * The status page script, second half: the token (asked once, kept in
 * `sessionStorage`), the calls (`status`, `data/conflicts`, `run`,
 * `deletions/confirm`, `data/conflicts/:id/resolve`), and plain words for
 * what goes wrong: a wrong token, a server that does not answer, an action
 * the server refused.
 */
const MAIN_SCRIPT = String.raw`
  var base = location.pathname.replace(/\/ui\/?$/, '/');
  var KEY = 'express-sqlite-sync-token';
  var busy = false; // the view a "Sync now" in flight was started in, or false
  // The view the operator is in: "Forget token" and each token entered start a new one. An action's answer (Sync now,
  // Delete them, Resolve) that comes in another view than its own is dropped, as refresh() drops a late /status.
  var view = 0;
  /** Calls what = function (answer) and its failure handler only while the view the action began in is still shown. */
  function inView(started, what) { return function (value) { if (started === view) what(value); }; }
  function token() { return sessionStorage.getItem(KEY); }
  function notice(message) { $('notice').textContent = shown(message || ''); $('notice').hidden = !message; }
  function say(message) { $('message').textContent = shown(message); }
  function showLogin(problem) {
    $('login').hidden = false;
    $('status').hidden = true;
    $('login-error').textContent = problem || '';
    $('login-error').hidden = !problem;
    if (problem) $('token').focus();
  }
  function handled(message) { var error = new Error(message); error.handled = true; return error; }
  /**
   * Calls the sync API with key (default: the token kept now). A 401 logs out only while key is still the
   * token kept: a late 401 for a token forgotten or replaced meanwhile (a slow link) is dropped.
   */
  function call(method, path, body, key) {
    var used = key === undefined ? token() : key;
    var headers = { Authorization: 'Bearer ' + used, Accept: 'application/json' };
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    var init = { method: method, headers: headers, body: body === undefined ? undefined : JSON.stringify(body) };
    return fetch(base + path, init).then(function (response) {
      if (response.status === 401 && used !== token()) throw handled('wrong token');
      if (response.status === 401) {
        sessionStorage.removeItem(KEY);
        showLogin('That token is wrong: this server refused it. Enter the sync token this server was started with (SYNC_TOKEN; the sample app keeps a generated one in DATA_DIR/.sync-token).');
        throw handled('wrong token');
      }
      return response.json().then(
        function (json) { return { status: response.status, body: json, date: response.headers.get('Date') }; },
        function () { return { status: response.status, body: {}, date: response.headers.get('Date') }; });
    }, function () {
      throw handled('This server is not answering: is it running, and is this the right address?');
    });
  }
  function failure(answer) {
    var error = answer.body && answer.body.error;
    return error ? error.code + ': ' + error.message : 'the server answered ' + answer.status;
  }

  /**
   * What a confirmation made: the files (not the holds), and whether the sync that deletes them went through,
   * or held them back again (the plan grew past what was confirmed: nothing of it was deleted).
   */
  function confirmedWords(body) {
    var results = body.results || [];
    var files = (body.confirmed || []).reduce(function (sum, h) { return sum + h.count; }, 0);
    var broken = results.filter(function (r) { return !r.ok; })[0];
    var what = 'confirmed: ' + files + (files === 1 ? ' file' : ' files');
    if (broken) return what + ' to delete; the sync that deletes them failed: ' + (broken.error ? broken.error.code + ': ' + broken.error.message : 'see the peer');
    var again = results.reduce(function (all, r) { return all.concat(r.heldDeletions || []); }, []);
    if (again.length) return 'confirmed ' + files + ', but none of them was deleted: the sync would now delete more (' + again.map(function (h) { return h.count + ' files ' + sideOf(h); }).join(' and ') + '), so it holds them back again; see below';
    return what + ' deleted';
  }
  var actions = {
    confirm: function (held) {
      var started = view;
      say('deleting…');
      call('POST', 'deletions/confirm', { peer: held.peer, root: held.root }).then(inView(started, function (answer) {
        say(answer.status === 200 ? confirmedWords(answer.body) : failure(answer));
        refresh();
      }), inView(started, failed('Delete')));
    },
    /** Resolves a conflict; show(message) puts what went wrong on its card (and '' clears it). */
    resolve: function (conflict, resolution, show) {
      var started = view;
      say('resolving…');
      show('');
      call('POST', 'data/conflicts/' + encodeURIComponent(conflict.id) + '/resolve', resolution).then(inView(started, function (answer) {
        if (answer.status === 200) say('conflict ' + conflict.id + ' resolved: ' + resolution.action);
        else { say('not resolved: ' + failure(answer)); show('Not resolved: ' + failure(answer)); }
        refresh();
      }), inView(started, failed('Resolve', show)));
    }
  };
  function report(error) {
    if (error.handled && error.message === 'wrong token') return;
    notice(error.message);
  }
  /** What an action's failed call leaves: "<what> failed: why" in place of its "…ing…" (and on a card, with show). */
  function failed(what, show) {
    return function (error) {
      report(error);
      var message = error.handled && error.message === 'wrong token' ? '' : what + ' failed: ' + error.message;
      say(message);
      if (show) show(message);
    };
  }
  function conflictsOf(answer) { return answer.status === 200 && answer.body.conflicts ? answer.body.conflicts : []; }
  // The data conflicts are read a page at a time (GET data/conflicts?after=&limit=): where this page starts, the earlier
  // pages' starts and offsets, the offset it was turned to (start: it goes back to the first page once the total no
  // longer reaches it), its offset as shown, its last id, how many it shows, and whether its first answer is awaited (the
  // page buttons wait with it). A page holds up to PAGE conflicts, fewer when they are big (the server cuts it at 1 MiB).
  var PAGE = 100;
  function firstConflictPage() { return { after: '', earlier: [], offsets: [], start: 0, offset: 0, lastId: '', shown: 0, more: false, turning: false }; }
  var conflictPage = firstConflictPage();
  /** Turns to the next or the previous page: a new page object, so an answer asked for the old one is known (and dropped). */
  function turnConflictPage(forward) {
    var p = conflictPage;
    if (p.turning || (forward ? !p.more : p.earlier.length === 0)) return; // a double click turns one page
    var earlier = p.earlier.slice();
    var offsets = p.offsets.slice();
    var start = forward ? p.offset + p.shown : Math.max(0, offsets.pop() || 0);
    conflictPage = forward
      ? { after: p.lastId, earlier: earlier.concat([p.after]), offsets: offsets.concat([p.offset]), start: start, offset: start, lastId: '', shown: 0, more: false, turning: true }
      : { after: earlier.pop(), earlier: earlier, offsets: offsets, start: start, offset: start, lastId: '', shown: 0, more: false, turning: true };
    showPageButtons();
    refresh();
  }
  function showPageButtons() {
    var p = conflictPage;
    $('conflicts-previous').disabled = p.turning || p.earlier.length === 0;
    $('conflicts-next').disabled = p.turning || !p.more;
    $('conflict-pages').hidden = !p.more && p.earlier.length === 0;
  }
  /** Where this page starts, kept inside the total when conflicts on earlier pages were resolved meanwhile. */
  function placeConflictPage(total, conflicts, more) {
    var p = conflictPage;
    p.offset = Math.max(0, Math.min(p.offset, total - conflicts.length));
    p.lastId = conflicts.length ? String(conflicts[conflicts.length - 1].id) : '';
    p.shown = conflicts.length;
    p.more = more && p.offset + conflicts.length < total;
    p.turning = false;
    showPageButtons();
  }
  function refresh() {
    var key = token(); // both calls with it; their answers are dropped once it is forgotten or replaced
    if (!key) return; // also while a "Sync now" is in flight: a hung peer must not freeze the figures
    var asked = conflictPage;
    var page = 'data/conflicts?limit=' + PAGE + (asked.after ? '&after=' + encodeURIComponent(asked.after) : '');
    call('GET', 'status', undefined, key).then(function (status) {
      // No database (a server that syncs files only: site null) has no data/conflicts to ask; a failed status is reported below;
      // a token forgotten or replaced meanwhile is not used again (the answer is dropped below).
      var noData = key !== token() || status.status !== 200 || status.body.site === null;
      return (noData ? Promise.resolve({ status: 200, body: { conflicts: [] } }) : call('GET', page, undefined, key)).then(function (conflicts) { return [status, conflicts]; });
    }).then(function (answers) {
      if (key !== token()) return; // "Forget token" (or another token) meanwhile: the operator left this view
      if (asked !== conflictPage) return; // asked for a page no longer shown: the page turned meanwhile
      var status = answers[0];
      if (status.status !== 200) throw handled(failure(status));
      serverClock(status.date);
      var stopped = status.body.dataError;
      notice(stopped ? 'Data sync is stopped: ' + stopped.code + ': ' + stopped.message : '');
      $('login').hidden = true;
      $('status').hidden = false;
      renderStatus(status.body, actions);
      var conflicts = conflictsOf(answers[1]);
      var total = status.body.conflicts;
      // This page was resolved, or earlier ones were and the total no longer reaches where it started: back to the first
      // (start, not the offset shown: that one moves with each refresh, and what is drawn must not depend on when they ran).
      if (asked.after && (conflicts.length === 0 || asked.start >= total)) { conflictPage = firstConflictPage(); refresh(); return; }
      placeConflictPage(total, conflicts, answers[1].status === 200 && answers[1].body.more === true);
      renderConflicts(total, conflicts, actions.resolve, asked.offset, status.body.site === null);
      $('status').dataset.refreshes = String(Number($('status').dataset.refreshes || 0) + 1); // for tests: a refresh is drawn
    }).catch(function (error) {
      if (asked === conflictPage && asked.turning) { asked.turning = false; showPageButtons(); } // the buttons work again
      if (key === token()) report(error);
    });
  }
  function runNow() {
    if (busy === view) return; // one round at a time in a view; its outcome replaces "syncing…"
    var started = view;
    busy = started;
    say('syncing…');
    call('POST', 'run').then(inView(started, function (answer) {
      var results = (answer.body && answer.body.results) || [];
      var ok = results.filter(function (r) { return r.ok; }).length;
      var none = answer.status === 200 ? 'no peers to sync with (this server has no SYNC_PEERS)' : failure(answer);
      say(results.length ? 'done: ' + ok + '/' + results.length + ' peers ok' : none);
    })).catch(inView(started, failed('Sync'))).then(function () { // also an answer it could not read: the button must work again
      if (busy === started) busy = false;
      if (started === view) refresh();
    });
  }
  /** A new view (a token forgotten or entered): what the last one said is gone, its late answers dropped. */
  function newView() { view += 1; say(''); }
  document.addEventListener('DOMContentLoaded', function () {
    $('login').addEventListener('submit', function (event) {
      event.preventDefault();
      // A token is letters, digits and punctuation: anything else could not even be sent (and is not kept).
      if (!/^[\x21-\x7e]+$/.test($('token').value)) {
        showLogin('That is not a sync token: a token is letters, digits and punctuation, without spaces.');
        return;
      }
      sessionStorage.setItem(KEY, $('token').value);
      newView();
      $('login-error').hidden = true;
      refresh();
    });
    $('run').addEventListener('click', runNow);
    $('conflicts-next').addEventListener('click', function () { turnConflictPage(true); });
    $('conflicts-previous').addEventListener('click', function () { turnConflictPage(false); });
    $('forget').addEventListener('click', function () { sessionStorage.removeItem(KEY); newView(); showLogin(); $('token').focus(); });
    if (token()) refresh(); else showLogin();
    setInterval(refresh, 3000);
  });
`;

/** The status page's one script: served as a file (helmet's CSP allows no inline script). */
export const STATUS_PAGE_SCRIPT = `'use strict';\n(function () {${DOM_SCRIPT}${RENDER_SCRIPT}${TRANSPORTS_SCRIPT}${NAMES_SCRIPT}${WARNINGS_SCRIPT}${MAIN_SCRIPT}})();\n`;
