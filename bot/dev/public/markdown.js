/*
 * A tiny, safe Markdown renderer for the dev console: the subset Teams renders in TextBlocks and
 * FactSets (bold, italic, code, bullet/numbered lists, line breaks) plus backslash escapes (which
 * cards/card.ts esc() relies on). Everything is HTML-escaped first; the only tags it ever emits are
 * p, br, strong, em, code, ul, ol, li. Links are never produced (cards link via Action.OpenUrl only).
 * UMD: a browser global `hwMarkdown`, or require() in Node for tests.
 */
(function (root, factory) {
  if (typeof module === 'object' && module.exports) module.exports = factory();
  else root.hwMarkdown = factory();
})(typeof self !== 'undefined' ? self : this, function () {
  'use strict';
  var OPEN = '\uE000';
  var CLOSE = '\uE001';
  var ESCAPABLE = /\\([\\`*_{}\[\]()#+\-.!|~<>&"':\/=])/g;

  function escapeHtml(s) {
    return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
  }

  function inline(s) {
    var held = [];
    s = s.replace(ESCAPABLE, function (_m, ch) {
      held.push(ch);
      return OPEN + (held.length - 1) + CLOSE;
    });
    s = escapeHtml(s);
    s = s.replace(/`([^`\n]+)`/g, '<code>$1</code>');
    s = s.replace(/\*\*([^*\n]+)\*\*/g, '<strong>$1</strong>');
    s = s.replace(/__([^_\n]+)__/g, '<strong>$1</strong>');
    s = s.replace(/(^|[^\w*])\*([^*\n]+)\*(?!\*)/g, '$1<em>$2</em>');
    s = s.replace(/(^|[^\w])_([^_\n]+)_(?![\w])/g, '$1<em>$2</em>');
    return s.replace(new RegExp(OPEN + '(\\d+)' + CLOSE, 'g'), function (_m, i) {
      return escapeHtml(held[Number(i)] || '');
    });
  }

  function render(text) {
    var src = String(text == null ? '' : text).replace(/[\uE000\uE001]/g, '').replace(/\r\n?/g, '\n');
    var out = [];
    var para = [];
    var list = null;
    function flushPara() {
      if (para.length) out.push('<p>' + para.map(inline).join('<br>') + '</p>');
      para = [];
    }
    function flushList() {
      if (list) out.push('<' + list.tag + '>' + list.items.map(function (i) { return '<li>' + inline(i) + '</li>'; }).join('') + '</' + list.tag + '>');
      list = null;
    }
    src.split('\n').forEach(function (line) {
      var bullet = /^\s*[-*+]\s+(.*)$/.exec(line);
      var numbered = /^\s*\d{1,3}\.\s+(.*)$/.exec(line);
      if (bullet || numbered) {
        flushPara();
        var tag = bullet ? 'ul' : 'ol';
        if (list && list.tag !== tag) flushList();
        if (!list) list = { tag: tag, items: [] };
        list.items.push((bullet || numbered)[1]);
      } else if (!line.trim()) {
        flushList();
        flushPara();
      } else {
        flushList();
        para.push(line);
      }
    });
    flushList();
    flushPara();
    return out.join('');
  }

  return render;
});
