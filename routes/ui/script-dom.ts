/**
 * The status page script's DOM helpers: building nodes (`el`, `button`) and
 * updating the page in place every refresh without taking the operator's
 * focus, typing or text selection away (`setText`, `place`).
 */
export const DOM_SCRIPT = String.raw`
  var $ = function (id) { return document.getElementById(id); };
  var SHOWN_CHARACTERS = 2000;
  /**
   * Text as the page shows it: each text-direction control (U+200E, U+200F, U+061C, U+202A–U+202E,
   * U+2066–U+2069, with which "‮potpal tip" reads as another name and reverses the rest of its
   * line) replaced by U+FFFD, and a text over SHOWN_CHARACTERS cut there, saying how much more there is.
   */
  function shown(value) {
    var s = String(value).replace(/[؜‎‏‪-‮⁦-⁩]/g, '�');
    return s.length > SHOWN_CHARACTERS ? s.slice(0, SHOWN_CHARACTERS) + '… (' + (s.length - SHOWN_CHARACTERS) + ' more characters)' : s;
  }
  function el(tag, text, className) {
    var node = document.createElement(tag);
    if (text !== null && text !== undefined) node.textContent = shown(text);
    if (className) node.className = className;
    return node;
  }
  function button(label, action, name) {
    var b = el('button', label);
    b.type = 'button';
    b.dataset.action = action;
    if (name) b.setAttribute('aria-label', name);
    return b;
  }
  /** Sets a node's text only when it changed: the same text set again would wipe a selection in it. */
  function setText(node, value) { value = shown(value); if (node.textContent !== value) node.textContent = value; }
  /** True while the operator is in this node: focus inside, a selection touching it, or a form edited there. */
  function pinned(node) {
    if (node.dataset && node.dataset.edited === 'yes') return true;
    var active = document.activeElement;
    if (active && active !== document.body && node.contains(active)) return true;
    var selection = window.getSelection ? window.getSelection() : null;
    if (!selection || selection.isCollapsed || selection.rangeCount === 0) return false;
    return selection.getRangeAt(0).intersectsNode(node);
  }
  /** The nodes' keys (data-key, else their text), each with its occurrence: two equal lines stay two lines. */
  function keysOf(nodes) {
    var seen = {};
    return nodes.map(function (node) {
      var key = node.dataset && node.dataset.key !== undefined ? 'key:' + node.dataset.key : 'text:' + node.textContent;
      seen[key] = (seen[key] || 0) + 1;
      return key + '#' + seen[key];
    });
  }
  /**
   * Makes before equal to node without re-creating it: attributes, then the children by position
   * (an element of the same tag is updated the same way, so a focused button keeps its focus; a text
   * is changed only when it differs). before keeps its listeners: they read what they act on from it.
   */
  function updateInPlace(before, node) {
    Array.prototype.slice.call(before.attributes).forEach(function (a) { if (!node.hasAttribute(a.name)) before.removeAttribute(a.name); });
    Array.prototype.forEach.call(node.attributes, function (a) { if (before.getAttribute(a.name) !== a.value) before.setAttribute(a.name, a.value); });
    var olds = Array.prototype.slice.call(before.childNodes);
    var news = Array.prototype.slice.call(node.childNodes);
    news.forEach(function (fresh, i) {
      var old = olds[i];
      if (!old) before.appendChild(fresh);
      else if (old.nodeType === 1 && old.nodeName === fresh.nodeName) updateInPlace(old, fresh);
      else if (old.nodeType === 3 && fresh.nodeType === 3) { if (old.nodeValue !== fresh.nodeValue) old.nodeValue = fresh.nodeValue; }
      else before.replaceChild(fresh, old);
    });
    olds.slice(news.length).forEach(function (old) { before.removeChild(old); });
  }
  /**
   * Makes container's children the given nodes, in their order, in place: a child equal to its new
   * version is kept; a child the operator is in (see pinned) is kept as it is, or, when its new version
   * is marked data-update="in-place" (figures an action acts on, as a held deletion's count, must never
   * be stale), updated in place (see updateInPlace). Kept children are never detached (moving a node
   * blurs it), so focus, typing and selections survive every refresh.
   */
  function place(container, nodes) {
    var old = {};
    var children = Array.prototype.slice.call(container.children);
    keysOf(children).forEach(function (key, i) { old[key] = children[i]; });
    var keys = keysOf(nodes);
    var wanted = nodes.map(function (node, i) {
      var before = old[keys[i]];
      if (!before) return node;
      if (before.isEqualNode(node)) return before;
      if (!pinned(before)) return node;
      if (node.dataset && node.dataset.update === 'in-place') updateInPlace(before, node);
      return before;
    });
    Array.prototype.slice.call(container.childNodes).forEach(function (child) {
      if (wanted.indexOf(child) < 0) container.removeChild(child);
    });
    var cursor = container.firstChild;
    wanted.forEach(function (node) {
      if (node === cursor) { cursor = cursor.nextSibling; return; }
      container.insertBefore(node, cursor);
    });
  }
`;
