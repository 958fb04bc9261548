/**
 * The status page script's file names part: from `GET status`'s
 * `fileNameProblems`, per root, the names left out of sync because they
 * cannot travel (the first ones, then "… and N more"). The section is
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
    return items;
  }
  function renderNameProblems(roots) {
    var items = roots.reduce(function (all, r) { return all.concat(nameItems(r)); }, []);
    $('names').hidden = items.length === 0;
    place($('names-list'), items);
  }
`;
