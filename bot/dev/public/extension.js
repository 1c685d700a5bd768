/*
 * The dev console's compose box for Hybridwatch's message extension: what Teams shows under the compose
 * box. Typing runs the chosen search command and pasting a link on one of the app's link domains unfurls
 * it; both go to the server's /dev/api/extension/*, which sends the invokes Teams sends
 * (composeExtension/query, /queryLink) to the real /api/messages. Picking a result (or sending an
 * unfurled link) inserts the card into the conversation as the user's own message.
 */
(function () {
  'use strict';
  var PAGE = 10;

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined) e.textContent = text;
    return e;
  }

  /** hw: { api(path, body), user(), renderCard(json, host), log(text, level) } from console.js. */
  window.hwExtension = function (hw) {
    fetch('/dev/api/extension').then(function (r) { return r.json(); }).then(function (ext) {
      document.querySelectorAll('form.me').forEach(function (form) { setup(hw, ext, form); });
    });
  };

  function setup(hw, ext, form) {
    var pane = form.dataset.pane;
    var box = document.querySelector('.me-results[data-pane="' + pane + '"]');
    var select = form.elements.command;
    var input = form.elements.q;
    var seq = 0;
    var timer = null;
    ext.commands.forEach(function (c) {
      var o = el('option', '', c.title);
      o.value = c.id;
      o.dataset.placeholder = c.placeholder;
      select.appendChild(o);
    });

    function show() { box.hidden = false; }
    function clear() { box.innerHTML = ''; box.hidden = true; }
    function note(text) { box.appendChild(el('div', 'me-note', text)); show(); }

    function insert(card, text) {
      hw.api('/dev/api/extension/insert', { userId: hw.user().aadObjectId, pane: pane, card: card, text: text }).then(function (r) {
        if (r.status !== 200) hw.log('Inserting the card failed: ' + ((r.body && r.body.error) || r.status), 'error');
        else { input.value = ''; clear(); }
      });
    }

    function results(ce, more) {
      if (!ce) return note('No answer from Hybridwatch.');
      if (ce.type === 'message') return note(ce.text);
      var list = ce.attachments || [];
      if (!list.length && !more) return note('No results.');
      list.forEach(function (a) {
        var p = (a.preview && a.preview.content) || {};
        var b = el('button', 'me-item');
        b.type = 'button';
        b.appendChild(el('span', 't', p.title || ''));
        if (p.subtitle) b.appendChild(el('span', 's', p.subtitle));
        if (p.text) b.appendChild(el('span', 'x', p.text));
        b.addEventListener('click', function () { insert(a.content); });
        box.appendChild(b);
      });
      return list.length;
    }

    function search(initialRun, skip) {
      var my = ++seq;
      var text = input.value;
      hw.api('/dev/api/extension/query', { userId: hw.user().aadObjectId, pane: pane, commandId: select.value, text: text, skip: skip, count: PAGE, initialRun: initialRun }).then(function (r) {
        if (my !== seq) return;
        if (!skip) box.innerHTML = '';
        var old = box.querySelector('.me-more');
        if (old) old.remove();
        if (r.status !== 200) return note((r.body && r.body.error) || 'HTTP ' + r.status);
        if (r.body.status !== 200) return note('/api/messages answered ' + r.body.status);
        var n = results(r.body.response && r.body.response.composeExtension, skip > 0);
        if (n === PAGE) {
          var more = el('button', 'me-item me-more', 'More results');
          more.type = 'button';
          more.addEventListener('click', function () { search(initialRun, skip + PAGE); });
          box.appendChild(more);
        }
        show();
      });
    }

    function unfurl(url) {
      var my = ++seq;
      hw.api('/dev/api/extension/link', { userId: hw.user().aadObjectId, pane: pane, url: url }).then(function (r) {
        if (my !== seq) return;
        box.innerHTML = '';
        if (r.status !== 200) return note((r.body && r.body.error) || 'HTTP ' + r.status);
        if (!r.body.unfurled) return note(r.body.reason);
        var ce = r.body.response && r.body.response.composeExtension;
        var a = ce && ce.attachments && ce.attachments[0];
        if (!a) return note('Hybridwatch left this link as it is (Teams shows it as a plain link).');
        var wrap = el('div', 'me-unfurl');
        var host = el('div', 'card');
        hw.renderCard(a.content, host);
        wrap.appendChild(host);
        box.appendChild(wrap);
        var actions = el('div', 'me-actions');
        var send = el('button', 'primary', 'Send');
        send.type = 'button';
        send.addEventListener('click', function () { insert(a.content, url); });
        actions.appendChild(send);
        actions.appendChild(el('span', 'me-note', 'Unfurled by Hybridwatch (composeExtension/queryLink)' + (ce.suggestedActions ? ', not cached' : '')));
        box.appendChild(actions);
        show();
      });
    }

    function run(fromFocus) {
      var v = input.value.trim();
      if (/^https?:\/\//i.test(v)) return unfurl(v);
      if (!v && !fromFocus) return clear();
      search(!v, 0);
    }

    select.addEventListener('change', function () {
      input.placeholder = select.selectedOptions[0] ? select.selectedOptions[0].dataset.placeholder : '';
      run(true);
    });
    input.placeholder = select.selectedOptions[0] ? select.selectedOptions[0].dataset.placeholder : input.placeholder;
    input.addEventListener('input', function () {
      clearTimeout(timer);
      timer = setTimeout(function () { run(false); }, 250);
    });
    input.addEventListener('focus', function () { if (!input.value) run(true); });
    input.addEventListener('keydown', function (e) { if (e.key === 'Escape') { input.value = ''; clear(); } });
    form.addEventListener('submit', function (e) { e.preventDefault(); clearTimeout(timer); run(false); });
  }
})();
