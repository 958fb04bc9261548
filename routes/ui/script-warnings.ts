/**
 * The status page script's round warnings part: from a peer's
 * `lastResult.warnings` in `GET status` (what its last round could not do
 * without failing, as a root the peer does not have, `UNKNOWN_ROOT`), one line
 * each on the peer's card, the first few then "… and N more". DOM calls only
 * (`textContent`), like the rest of the page; an entry that is not
 * `{ code, root, message }` of text (another version's) is left out. And the
 * note of a peer that syncs files only (`filesOnly`): no failure, said once.
 */
export const WARNINGS_SCRIPT = String.raw`
  /** A peer that syncs files only (its handshake answered DATA_OFF) is no failure: its card says so, under its state. */
  function filesOnlyNote(card, p) {
    if (p.filesOnly !== true) return;
    var note = el('p', 'Files only: this peer runs without a database; its files sync, no data does', 'muted');
    note.dataset.field = 'files-only';
    card.appendChild(note);
  }
  var WARNINGS_SHOWN = 5;
  function isWarning(w) { return w !== null && typeof w === 'object' && typeof w.code === 'string' && typeof w.root === 'string' && typeof w.message === 'string'; }
  /** The lines of a peer's last round's warnings, appended to its card. */
  function peerWarnings(card, result) {
    var list = result && Array.isArray(result.warnings) ? result.warnings.filter(isWarning) : [];
    list.slice(0, WARNINGS_SHOWN).forEach(function (w) {
      var line = el('p', w.code + ' ' + w.root + ': ' + w.message, 'caution');
      line.dataset.field = 'warning';
      card.appendChild(line);
    });
    if (list.length > WARNINGS_SHOWN) card.appendChild(el('p', '… and ' + (list.length - WARNINGS_SHOWN) + ' more warnings', 'muted'));
  }
`;
