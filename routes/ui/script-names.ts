/**
 * The status page script's file names part: from `GET status`'s
 * `fileNameProblems`, per root, the names left out of sync because they
 * cannot travel and the paths that differ only in letter case (the first
 * ones, then "… and N more"). The section is
 * hidden while there are none. DOM calls only, like the rest of the page.
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
  function renderNameProblems(roots) {
    var items = roots.reduce(function (all, r) { return all.concat(nameItems(r)); }, []);
    $('names').hidden = items.length === 0;
    place($('names-list'), items);
  }
`;
