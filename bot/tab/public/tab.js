/* Hybridwatch Teams tab: Teams SSO (teams-js) → GET /api/tab/overview. Everything is shown with textContent. */
(function () {
  'use strict';
  var $ = function (s) { return document.querySelector(s); };

  function banner(text, kind) {
    var b = $('#where');
    b.textContent = text;
    b.className = 'banner' + (kind ? ' ' + kind : '');
  }

  function cell(tr, text, cls) {
    var td = document.createElement('td');
    td.textContent = text == null ? '' : String(text);
    if (cls) td.className = cls;
    tr.appendChild(td);
  }

  function when(iso) { return iso ? new Date(iso).toLocaleString() : 'never'; }

  function render(o) {
    $('#content').hidden = false;
    $('#viewer').textContent = o.viewer.mode === 'local-dev'
      ? 'Local mode: showing data as the dev identity ' + o.viewer.name + ' (no Teams sign-in).'
      : 'Signed in as ' + o.viewer.name + ' (Teams SSO).';
    var dl = $('#integration');
    dl.textContent = '';
    [['State', o.integration.state, 'state-' + o.integration.state], ['Since', when(o.integration.since)], ['By', o.integration.byName || '—'],
     ['Last on-premises data', when(o.integration.lastOnPremAt)], ['Last cloud data', when(o.integration.lastCloudAt)],
     ['Alerts', o.counts.open + ' open of ' + o.counts.total]].forEach(function (f) {
      var dt = document.createElement('dt'); dt.textContent = f[0]; dl.appendChild(dt);
      var dd = document.createElement('dd'); dd.textContent = f[1]; if (f[2]) dd.className = f[2]; dl.appendChild(dd);
    });
    var tb = $('#alerts tbody');
    tb.textContent = '';
    o.alerts.forEach(function (a) {
      var tr = document.createElement('tr');
      cell(tr, a.severity, 'sev-' + a.severity); cell(tr, a.title); cell(tr, a.users.join(', ')); cell(tr, a.source); cell(tr, when(a.lastSeen)); cell(tr, a.triggerCount);
      tb.appendChild(tr);
    });
    $('#alerts-empty').hidden = o.alerts.length > 0;
    var rb = $('#risky tbody');
    rb.textContent = '';
    o.riskyUsers.forEach(function (u) {
      var tr = document.createElement('tr');
      cell(tr, u.name); cell(tr, u.score.toFixed(1)); cell(tr, u.percentile); cell(tr, u.alertCount); cell(tr, u.risky ? 'risky' : '', u.risky ? 'risky' : '');
      rb.appendChild(tr);
    });
    $('#risky-empty').hidden = o.riskyUsers.length > 0;
  }

  function load(token) {
    var headers = token ? { authorization: 'Bearer ' + token } : {};
    return fetch('/api/tab/overview', { headers: headers }).then(function (r) {
      return r.json().then(function (body) { return { status: r.status, body: body }; });
    });
  }

  function inTeams() {
    var mt = window.microsoftTeams;
    // Outside a Teams frame initialize() never answers: give it a moment, then say so plainly.
    if (!mt || window.parent === window) return Promise.resolve(false);
    return Promise.race([
      mt.app.initialize().then(function () { return true; }),
      new Promise(function (r) { setTimeout(function () { r(false); }, 4000); }),
    ]).catch(function () { return false; });
  }

  inTeams().then(function (teams) {
    if (teams) {
      banner('Signing in with Teams…');
      return window.microsoftTeams.authentication.getAuthToken().then(function (token) {
        return load(token).then(function (r) {
          if (r.status !== 200) return banner(r.body.error || 'Hybridwatch answered ' + r.status, 'error');
          $('#where').hidden = true;
          window.microsoftTeams.app.notifySuccess && window.microsoftTeams.app.notifySuccess();
          render(r.body);
        });
      }, function (e) {
        banner('Teams did not give a sign-in token (' + (e && e.message ? e.message : e) + '). Ask your admin to consent to the app\'s access_as_user permission.', 'error');
      });
    }
    banner('You are not inside Microsoft Teams. This page is the Hybridwatch Teams tab: open it from the Hybridwatch app in Teams to sign in.', 'warn');
    return load(null).then(function (r) {
      if (r.status === 200) render(r.body);
    });
  }).catch(function (e) { banner('Could not load: ' + e.message, 'error'); });
})();
