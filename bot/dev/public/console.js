/*
 * Hybridwatch dev console: plays the Teams client. Messages and button presses go to the server's
 * /dev/api/*, which posts real Teams-shaped activities to /api/messages; what the bot sends back
 * (replies, proactive posts, in-place updates) arrives here over Server-Sent Events.
 */
(function () {
  'use strict';
  var AC = window.AdaptiveCards;
  var md = window.hwMarkdown;
  var state = { users: [], user: null, channelId: '', personal: {}, messages: {}, order: [], views: {}, refreshed: {} };
  var $ = function (sel) { return document.querySelector(sel); };

  AC.AdaptiveCard.onProcessMarkdown = function (text, result) {
    result.outputHtml = md(text);
    result.didProcess = true;
  };
  var hostConfig = new AC.HostConfig(window.HW_HOST_CONFIG);

  function api(path, body) {
    return fetch(path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }).then(function (r) {
      return r.json().catch(function () { return {}; }).then(function (j) { return { status: r.status, body: j }; });
    });
  }

  function log(text, level) {
    var li = document.createElement('li');
    li.textContent = new Date().toLocaleTimeString() + '  ' + text;
    if (level === 'error') li.className = 'error';
    var ol = $('#log');
    ol.appendChild(li);
    ol.scrollTop = ol.scrollHeight;
  }

  function paneOf(m) {
    if (m.conversationId === state.channelId) return 'channel';
    return state.user && m.conversationId === state.personal[state.user.aadObjectId] ? 'personal' : null;
  }

  function renderCard(m, json, host) {
    var card = new AC.AdaptiveCard();
    card.hostConfig = hostConfig;
    // A card still in the compose box (an unfurled link before Send) is not in the conversation yet.
    card.onExecuteAction = function (action) { if (m) onAction(m, action); else log('Send the message first: its buttons work once the card is in the conversation.'); };
    try {
      card.parse(json);
      var el = card.render();
      if (el) host.appendChild(el);
    } catch (e) {
      host.textContent = 'This card could not be rendered: ' + e.message;
    }
  }

  /** This user's own view of the card (invoke answer / refresh) while the bot has not updated it for everyone. */
  function viewOf(m) {
    var v = state.user && state.views[m.id + '|' + state.user.aadObjectId];
    return v && v.basedOn === m.updates ? v : null;
  }

  /**
   * Universal Actions automatic refresh: a card whose refresh.userIds lists this user (or has no list)
   * is fetched again by an `adaptiveCard/action` invoke with trigger "automatic", as Teams does.
   */
  function maybeRefresh(m) {
    if (!state.user || viewOf(m)) return;
    var oid = state.user.aadObjectId;
    (m.cards || []).forEach(function (c) {
      var r = c && c.refresh;
      if (!r || !r.action || r.action.type !== 'Action.Execute') return;
      var ids = r.userIds;
      if (Array.isArray(ids) && !ids.some(function (u) { return u === '8:orgid:' + oid || u === '29:dev-' + oid || u === oid; })) return;
      var key = m.id + '|' + oid + '|' + m.updates;
      if (state.refreshed[key]) return;
      state.refreshed[key] = true;
      api('/dev/api/invoke', { userId: oid, activityId: m.id, verb: r.action.verb, data: r.action.data || {}, trigger: 'automatic' });
    });
  }

  function renderMessage(m) {
    var wrap = document.createElement('div');
    wrap.className = 'msg';
    wrap.dataset.id = m.id;
    wrap.dataset.role = m.from.role;
    if (m.via) wrap.dataset.via = m.via;
    var meta = document.createElement('div');
    meta.className = 'meta';
    meta.textContent = m.from.name + ' · ' + new Date(m.timestamp).toLocaleTimeString();
    if (m.updates > 0) {
      var ed = document.createElement('span');
      ed.className = 'edited';
      ed.textContent = 'updated' + (m.updates > 1 ? ' ×' + m.updates : '');
      meta.appendChild(ed);
    }
    wrap.appendChild(meta);
    if (m.text) {
      var bubble = document.createElement('div');
      bubble.className = 'bubble';
      // Bot text is Markdown (rendered safely); what the user typed is shown as typed.
      if (m.from.role === 'bot') bubble.innerHTML = md(m.text);
      else bubble.textContent = m.text;
      wrap.appendChild(bubble);
    }
    var view = viewOf(m);
    if (view) wrap.dataset.view = 'user';
    (view ? view.cards : m.cards || []).forEach(function (c) {
      var host = document.createElement('div');
      host.className = 'card';
      renderCard(m, c, host);
      wrap.appendChild(host);
    });
    return wrap;
  }

  function container(pane) { return pane === 'channel' ? $('#channel-messages') : $('#personal-messages'); }

  function place(m) {
    var pane = paneOf(m);
    if (!pane) return;
    var box = container(pane);
    var el = renderMessage(m);
    if (pane === 'channel') {
      if (m.threadId) {
        var thread = box.querySelector('.thread[data-thread="' + CSS.escape(m.threadId) + '"] > .replies');
        if (thread) { thread.appendChild(el); scroll(box); return; }
      }
      var t = document.createElement('div');
      t.className = 'thread';
      t.dataset.thread = m.id;
      t.appendChild(el);
      var replies = document.createElement('div');
      replies.className = 'replies';
      t.appendChild(replies);
      box.appendChild(t);
    } else {
      box.appendChild(el);
    }
    scroll(box);
    maybeRefresh(m);
  }

  function scroll(box) { box.scrollTop = box.scrollHeight; }

  function replace(m) {
    var old = document.querySelector('.msg[data-id="' + CSS.escape(m.id) + '"]');
    if (!old) return;
    var el = renderMessage(m);
    el.classList.add('flash');
    old.replaceWith(el);
    setTimeout(function () { el.classList.remove('flash'); }, 1200);
    maybeRefresh(m);
  }

  function redraw() {
    $('#personal-messages').innerHTML = '';
    $('#channel-messages').innerHTML = '';
    state.order.forEach(function (id) { place(state.messages[id]); });
  }

  function onAction(m, action) {
    var type = action.getJsonTypeName();
    if (type === 'Action.OpenUrl') {
      if (/^https:\/\//i.test(action.url || '')) window.open(action.url, '_blank', 'noopener,noreferrer');
      return;
    }
    if (type === 'Action.Submit' && m.via === 'extension') {
      // Teams sends an Action.Submit on a card the message extension inserted as composeExtension/onCardButtonClicked.
      log(state.user.name + ' clicked "' + action.title + '" (Action.Submit → composeExtension/onCardButtonClicked)');
      api('/dev/api/invoke', { kind: 'cardButton', userId: state.user.aadObjectId, activityId: m.id, data: action.data || {} }).then(function (r) {
        if (r.status !== 200 || (r.body && r.body.status !== 200)) note(m.id, (r.body && r.body.error) || 'The invoke failed (HTTP ' + ((r.body && r.body.status) || r.status) + ').');
      });
      return;
    }
    if (type !== 'Action.Execute') {
      log('The console only sends Action.Execute and Action.OpenUrl (' + type + ' ignored).', 'error');
      return;
    }
    var el = document.querySelector('.msg[data-id="' + CSS.escape(m.id) + '"]');
    if (el) el.classList.add('busy');
    log(state.user.name + ' clicked "' + (action.title || action.verb) + '" (Action.Execute ' + action.verb + ')');
    api('/dev/api/invoke', { userId: state.user.aadObjectId, activityId: m.id, verb: action.verb, data: action.data || {}, trigger: 'manual' }).then(function (r) {
      var now = document.querySelector('.msg[data-id="' + CSS.escape(m.id) + '"]');
      if (now) now.classList.remove('busy');
      var resp = r.body && r.body.response;
      if (r.status !== 200 || !resp) {
        note(m.id, (r.body && r.body.error) || 'The invoke failed (HTTP ' + r.status + ').');
      } else if (resp.type === 'application/vnd.microsoft.activity.message') {
        note(m.id, String(resp.value));
      } else if (resp.statusCode && resp.statusCode !== 200) {
        note(m.id, 'The bot answered ' + resp.statusCode + '.');
      } else if (r.body.status !== 200) {
        note(m.id, 'The bot answered HTTP ' + r.body.status + '.');
      }
    });
  }

  function note(id, text) {
    var el = document.querySelector('.msg[data-id="' + CSS.escape(id) + '"]');
    if (!el) return;
    var n = el.querySelector('.note') || el.appendChild(document.createElement('div'));
    n.className = 'note';
    n.setAttribute('role', 'alert');
    n.innerHTML = md(text);
  }

  function send(pane, text) {
    text = text.trim();
    if (!text || !state.user) return;
    api('/dev/api/send', { userId: state.user.aadObjectId, pane: pane, text: text }).then(function (r) {
      if (r.status !== 200) log('Sending failed: ' + ((r.body && r.body.error) || r.status), 'error');
      else if (r.body.status >= 300) log('/api/messages answered ' + r.body.status, 'error');
    });
  }

  function connect() {
    var es = new EventSource('/dev/api/events');
    es.onopen = function () { $('#conn').textContent = 'live'; };
    es.onerror = function () { $('#conn').textContent = 'reconnecting…'; };
    es.addEventListener('message', function (e) {
      var m = JSON.parse(e.data).message;
      if (state.messages[m.id]) return;
      state.messages[m.id] = m;
      state.order.push(m.id);
      place(m);
    });
    es.addEventListener('update', function (e) {
      var ev = JSON.parse(e.data);
      state.messages[ev.message.id] = ev.message;
      replace(ev.message);
    });
    es.addEventListener('view', function (e) {
      var v = JSON.parse(e.data).view;
      state.views[v.messageId + '|' + v.userId] = v;
      var m = state.messages[v.messageId];
      if (m && state.user && v.userId === state.user.aadObjectId) replace(m);
    });
    es.addEventListener('notice', function (e) {
      var ev = JSON.parse(e.data);
      log(ev.text, ev.level);
    });
  }

  function selectUser(id) {
    state.user = state.users.find(function (u) { return u.aadObjectId === id; }) || state.users[0];
    try { localStorage.setItem('hw-dev-user', state.user.aadObjectId); } catch (e) { /* private mode */ }
    $('#user').value = state.user.aadObjectId;
    redraw();
  }

  function init() {
    fetch('/dev/api/session').then(function (r) { return r.json(); }).then(function (s) {
      state.users = s.users;
      state.channelId = s.channel.id;
      state.personal = s.personalConversations;
      var sel = $('#user');
      s.users.forEach(function (u) {
        var o = document.createElement('option');
        o.value = u.aadObjectId;
        o.textContent = u.name + ' (' + (u.roles.length ? u.roles.join(', ') : 'no admin role') + ')';
        sel.appendChild(o);
      });
      sel.addEventListener('change', function () { selectUser(sel.value); });
      var saved = null;
      try { saved = localStorage.getItem('hw-dev-user'); } catch (e) { /* private mode */ }
      selectUser(saved);
      if (!s.replay.ready) {
        $('#replay').disabled = true;
        $('#replay').title = s.replay.reason;
        log(s.replay.reason, 'error');
      }
      connect();
      window.hwExtension({ api: api, log: log, user: function () { return state.user; }, renderCard: function (json, host) { renderCard(null, json, host); } });
    });
    document.querySelectorAll('form.composer').forEach(function (f) {
      f.addEventListener('submit', function (e) {
        e.preventDefault();
        send(f.dataset.pane, f.elements.text.value);
        f.elements.text.value = '';
      });
    });
    document.querySelectorAll('.chips').forEach(function (c) {
      c.addEventListener('click', function (e) {
        var cmd = e.target && e.target.dataset && e.target.dataset.cmd;
        if (cmd) send(c.dataset.for, cmd);
      });
    });
    $('#replay').addEventListener('click', function () {
      var b = $('#replay');
      b.disabled = true;
      api('/dev/api/replay', { pace: 'live' }).then(function (r) {
        if (r.status >= 300) log('Replay: ' + ((r.body && r.body.error) || r.status), 'error');
        setTimeout(function () { b.disabled = false; }, 1500);
      });
    });
  }

  init();
})();
