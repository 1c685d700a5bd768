/*
 * /dev/cards: every card template drawn with its sample data by the same renderer, Markdown handler
 * and host config as the dev console, with what the adaptivecards library says about it.
 */
(function () {
  'use strict';
  var AC = window.AdaptiveCards;
  var md = window.hwMarkdown;
  var $ = function (sel) { return document.querySelector(sel); };
  AC.AdaptiveCard.onProcessMarkdown = function (text, result) {
    result.outputHtml = md(text);
    result.didProcess = true;
  };
  var hostConfig = new AC.HostConfig(window.HW_HOST_CONFIG);

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined) e.textContent = text;
    return e;
  }

  function draw(entry) {
    var box = el('section', 'tpl');
    box.dataset.name = entry.name;
    var h = el('h2', null, entry.name);
    var meta = el('span', 'hint', (entry.template === 'CARDS_DIR' ? 'CARDS_DIR override' : 'built-in') + (entry.sample === 'CARDS_DIR' ? ', CARDS_DIR sample data' : '') + (entry.bytes ? ' · ' + (entry.bytes / 1024).toFixed(1) + ' KB' : ''));
    h.appendChild(meta);
    box.appendChild(h);
    if (entry.problems.length) {
      var ul = el('ul', 'problems');
      ul.setAttribute('role', 'alert');
      entry.problems.forEach(function (p) { ul.appendChild(el('li', null, p)); });
      box.appendChild(ul);
    }
    if (entry.card) {
      var host = el('div', 'card');
      var card = new AC.AdaptiveCard();
      card.hostConfig = hostConfig;
      card.onExecuteAction = function (action) {
        var note = box.querySelector('.note') || box.appendChild(el('div', 'note'));
        note.textContent = action.getJsonTypeName() + (action.verb ? ' ' + action.verb + ' ' + JSON.stringify(action.data || {}) : action.url ? ' ' + action.url : '') + ' (the gallery sends nothing)';
      };
      try {
        card.parse(entry.card);
        var rendered = card.render();
        if (rendered) host.appendChild(rendered);
      } catch (e) {
        host.textContent = 'This card could not be rendered: ' + e.message;
      }
      box.appendChild(host);
    }
    [[entry.source, 'Template (the Designer\u2019s card payload editor)'], [entry.data, 'Sample data (the Designer\u2019s sample data editor)']].forEach(function (p) {
      if (!p[0]) return;
      var d = el('details');
      d.appendChild(el('summary', null, p[1]));
      d.appendChild(el('pre', null, JSON.stringify(p[0], null, 2)));
      box.appendChild(d);
    });
    return box;
  }

  function load() {
    $('#source').textContent = 'loading…';
    fetch('/dev/api/cards', { cache: 'no-store' }).then(function (r) { return r.json(); }).then(function (s) {
      var g = $('#gallery');
      g.innerHTML = '';
      s.entries.forEach(function (e) { g.appendChild(draw(e)); });
      var bad = s.entries.filter(function (e) { return e.problems.length; }).length;
      $('#source').textContent = s.entries.length + ' templates' + (s.cardsDir ? ' · CARDS_DIR ' + s.cardsDir : '') + (bad ? ' · ' + bad + ' with problems' : ' · all valid');
      document.body.dataset.loaded = 'true';
    });
  }

  $('#reload').addEventListener('click', load);
  load();
})();
