/**
 * The status page script's file names part: from `GET status`'s
 * `fileNameProblems`, per root, the names left out of sync because they
 * cannot travel and the paths that differ only in letter case (the first
 * ones, then "… and N more"). The section is
 * hidden while there are none. Also the conflict copies on disk
 * (`fileConflictCopies`) for the file conflicts list. DOM calls only, like
 * the rest of the page.
 */
export const NAMES_SCRIPT = String.raw`
  function nameItems(r) {
    var items = [];
    if (r.unsyncableCount > 0) {
      var li = el('li', r.root + ': ' + r.unsyncableCount + ' file or folder name(s) left out of sync (a peer would refuse them), as of ' + when(r.at) + '. Rename them:');
      li.dataset.key = 'unsyncable:' + r.root;
      var list = el('ul');
      (r.unsyncable || []).forEach(function (n) { list.appendChild(el('li', n.path + ' (' + n.reason + ')')); });
      var more = r.unsyncableCount - (r.unsyncable || []).length;
      if (more > 0) list.appendChild(el('li', '… and ' + more + ' more', 'muted'));
      li.appendChild(list);
      items.push(li);
    }
    if (r.caseClashCount > 0) {
      var clash = el('li', r.root + ': ' + r.caseClashCount + ' group(s) of paths that differ only in letter case, as of ' + when(r.at) + '. Each syncs, but a Mac or Windows server holds one of each group and overwrites the other with it: rename all but one.');
      clash.dataset.key = 'case:' + r.root;
      var groups = el('ul');
      (r.caseClashes || []).forEach(function (g) { groups.appendChild(el('li', g.join(' · '))); });
      var others = r.caseClashCount - (r.caseClashes || []).length;
      if (others > 0) groups.appendChild(el('li', '… and ' + others + ' more', 'muted'));
      clash.appendChild(groups);
      items.push(clash);
    }
    return items;
  }
  /** The conflict copies on disk (fileConflictCopies) that no recent conflict of this server's rounds names already. */
  function copyItems(roots, recent) {
    var named = {};
    recent.forEach(function (f) { named[f.copyPath] = true; });
    return roots.reduce(function (all, r) {
      var items = (r.copies || []).filter(function (c) { return !named[c.copyPath]; }).map(function (c) {
        return el('li', (c.path === null ? c.copyPath + ': a kept version of a file that is gone' : c.path + ': the other version is ' + c.copyPath) + ' (on disk, as of ' + when(r.at) + ')');
      });
      var more = r.count - (r.copies || []).length;
      if (more > 0) items.push(el('li', r.root + ': … and ' + more + ' more conflict copies on disk', 'muted'));
      return all.concat(items);
    }, []);
  }
  function renderNameProblems(roots) {
    var items = roots.reduce(function (all, r) { return all.concat(nameItems(r)); }, []);
    $('names').hidden = items.length === 0;
    place($('names-list'), items);
  }
`;
