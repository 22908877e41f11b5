/**
 * The console page's script, served as /app.js. Plain ES5-style browser JavaScript in a string (the
 * project compiles for Node without DOM types, and dist/ must carry it): it draws the statechart
 * with mermaid, listens to /api/events (SSE) and posts the send and logout actions. It writes
 * text with textContent only; the sole markup it inserts is the SVG mermaid rendered in strict mode.
 */
export const BROWSER_APP = String.raw`
(function () {
  'use strict';
  var LIMITS = { feed: 200, transitions: 60, errors: 20 };
  var state = null;
  var diagram = null;
  var showLabels = false;
  var zoom = 0.75;
  var natural = null;
  var renderCount = 0;
  var contactsKey = '';

  function $(id) { return document.getElementById(id); }
  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }
  function clock(ms) { return new Date(ms).toLocaleTimeString([], { hour12: false }); }
  function capped(list, item, max) { var out = list.concat([item]); return out.slice(Math.max(0, out.length - max)); }

  // The same rules as applyUpdate in src/web/view.ts.
  function apply(s, u) {
    var n = Object.assign({}, s);
    switch (u.kind) {
      case 'state': n.top = u.top; n.paths = u.paths; n.nodeIds = u.nodeIds; break;
      case 'qr': n.qr = u.image; n.scanned = false; n.avatar = null; break;
      case 'scanned': n.qr = null; n.scanned = true; n.avatar = u.avatar; break;
      case 'login': n.qr = null; n.user = u.user; break;
      case 'contacts': n.contactsCount = u.count; n.contacts = u.list; break;
      case 'feed': n.feed = capped(s.feed, u.entry, LIMITS.feed); break;
      case 'transition': n.transitions = capped(s.transitions, u.entry, LIMITS.transitions); break;
      case 'error': n.errors = capped(s.errors, u.entry, LIMITS.errors); break;
      case 'logout': n.qr = null; n.logout = u.info; break;
    }
    return n;
  }

  // ---- login card, contacts, status
  function renderLogin() {
    var qr = $('qr'), avatar = $('avatar'), empty = $('pic-empty'), hint = $('login-hint');
    var showQr = !!state.qr && !state.scanned && !state.user;
    qr.hidden = !showQr;
    if (showQr && qr.getAttribute('src') !== state.qr) qr.setAttribute('src', state.qr);
    var showAvatar = !showQr && (state.scanned || !!state.user);
    avatar.hidden = !showAvatar;
    if (showAvatar) {
      var src = state.avatar || fallbackAvatar();
      if (avatar.getAttribute('data-given') !== src) {
        avatar.setAttribute('data-given', src);
        avatar.removeAttribute('data-fallback');
        avatar.setAttribute('src', src);
      }
    }
    empty.hidden = showQr || showAvatar;
    $('user-name').textContent = state.user ? state.user.NickName : '';
    if (state.logout) hint.textContent = 'Session ended.';
    else if (state.user) hint.textContent = 'Logged in as ' + state.user.UserName.slice(0, 14) + '…';
    else if (state.scanned) hint.textContent = 'Scanned. Confirm the login on the phone.';
    else if (state.qr) hint.textContent = 'Scan this QR code with WeChat on your phone.';
    else hint.textContent = 'Waiting for a QR code…';
  }
  // A grey silhouette, for a scan whose avatar is missing or cannot be decoded.
  function fallbackAvatar() {
    return 'data:image/svg+xml;charset=utf-8,' + encodeURIComponent(
      '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 96 96"><rect width="96" height="96" fill="#d0d7de"/>' +
      '<circle cx="48" cy="36" r="18" fill="#8c959f"/><rect x="18" y="60" width="60" height="36" rx="18" fill="#8c959f"/></svg>');
  }
  // The simulator's avatars are not decodable pictures, and a real one may fail too.
  $('avatar').addEventListener('error', function () {
    var avatar = $('avatar');
    if (avatar.getAttribute('data-fallback') === 'true') return;
    avatar.setAttribute('data-fallback', 'true');
    avatar.setAttribute('src', fallbackAvatar());
  });
  function renderStatus() {
    var status = $('status');
    var label = state.logout ? 'loggedOut' : (state.top || 'starting');
    status.textContent = label;
    status.setAttribute('data-top', label);
    document.body.setAttribute('data-top', label);
    $('logout').disabled = !!state.logout;
    $('send-button').disabled = !!state.logout || state.top !== 'syncing';
    var info = '';
    if (state.logout) {
      info = 'logged out: ' + state.logout.reason + (state.logout.retcode !== undefined ? ' (' + state.logout.retcode + ')' : '') +
        (state.logout.message ? ' — ' + state.logout.message : '');
    }
    $('logout-info').textContent = info;
  }
  function renderContacts() {
    $('contacts-count').textContent = state.contactsCount === null ? '–' : String(state.contactsCount);
    var key = state.contactsCount + ':' + state.contacts.length + ':' + (state.contacts[0] ? state.contacts[0].UserName : '');
    if (key === contactsKey) return;
    contactsKey = key;
    var select = $('send-to');
    var previous = select.value;
    select.textContent = '';
    if (state.contacts.length === 0) {
      select.appendChild(el('option', null, '(contacts load after login)')).value = '';
      return;
    }
    state.contacts.forEach(function (c) {
      var option = el('option', null, (c.isGroup ? '[group] ' : '') + c.label);
      option.value = c.UserName;
      select.appendChild(option);
    });
    if (previous) select.value = previous;
  }

  // ---- messages
  function feedItem(entry) {
    var li = el('li', entry.dir === 'in' ? 'in' : 'out' + (entry.ok ? '' : ' failed'));
    li.setAttribute('data-dir', entry.dir);
    var meta;
    if (entry.dir === 'in') {
      li.setAttribute('data-msgid', entry.MsgId);
      var who = entry.isSelf ? 'me (phone)' : entry.fromLabel + (entry.senderLabel ? ' / ' + entry.senderLabel : '');
      meta = clock(entry.time * 1000) + ' · ' + who + ' · ' + entry.typeName + (entry.type !== 1 ? ' (' + entry.type + ')' : '');
      li.appendChild(el('div', 'meta', meta));
      li.appendChild(el('div', 'body', entry.content.length > 600 ? entry.content.slice(0, 600) + '…' : entry.content));
    } else {
      meta = clock(entry.at) + ' · me → ' + entry.toLabel + ' · ' + (entry.ok ? 'sent' : 'failed: ' + entry.detail);
      li.appendChild(el('div', 'meta', meta));
      li.appendChild(el('div', 'body', entry.text));
    }
    return li;
  }
  function renderFeed() {
    var list = $('feed');
    list.textContent = '';
    for (var i = state.feed.length - 1; i >= 0; i--) list.appendChild(feedItem(state.feed[i]));
  }

  // ---- transitions and errors
  // syncing.loop.checking | syncing.outbox.idle → syncing: loop.checking · outbox.idle
  function paths(list) {
    if (list.length < 2) return list.join('');
    var top = list[0].split('.')[0];
    var shared = list.every(function (p) { return p.split('.')[0] === top; });
    if (!shared) return list.join(' · ');
    return top + ': ' + list.map(function (p) { return p.slice(top.length + 1); }).join(' · ');
  }
  function renderTransitions() {
    var body = $('transitions');
    body.textContent = '';
    for (var i = state.transitions.length - 1; i >= 0; i--) {
      var t = state.transitions[i];
      var tr = el('tr');
      tr.appendChild(el('td', null, clock(t.at)));
      tr.appendChild(el('td', 'mono', t.event));
      tr.appendChild(el('td', 'mono', paths(t.from)));
      tr.appendChild(el('td', 'mono', paths(t.to)));
      body.appendChild(tr);
    }
    var errors = $('errors');
    errors.textContent = '';
    state.errors.slice(-5).forEach(function (e) { errors.appendChild(el('li', null, clock(e.at) + ' ' + e.code + ': ' + e.message)); });
  }

  // ---- the statechart
  function nodeIdOf(element) {
    var m = /-state-(.+)-\d+$/.exec(element.id || '');
    return m ? m[1] : null;
  }
  function highlight() {
    var chart = $('chart');
    var svg = chart.querySelector('svg');
    $('chart-active').textContent = state && state.paths.length ? paths(state.paths) : '';
    if (!svg || !state) return;
    var wanted = {};
    state.nodeIds.forEach(function (id) { wanted[id] = true; });
    var leaves = {};
    state.paths.forEach(function (p) { leaves[diagram.machineId + '_' + p.replace(/[^A-Za-z0-9_]/g, '_')] = true; });
    var topId = state.top ? diagram.machineId + '_' + state.top : null;
    var topNode = null;
    Array.prototype.forEach.call(svg.querySelectorAll('g[id*="-state-"]'), function (g) {
      var id = nodeIdOf(g);
      var on = !!id && wanted[id] === true;
      g.classList.toggle('wx-active', on);
      g.classList.toggle('wx-leaf', on && leaves[id] === true);
      if (on && id === topId) topNode = g;
    });
    chart.setAttribute('data-active', state.nodeIds.join(' '));
    if (topNode && $('follow').checked) follow(topNode);
  }
  // Shows the whole active top-level state: zoomed to fit the panel (within readable bounds), centred.
  function follow(node) {
    var chart = $('chart');
    var box = node.getBoundingClientRect();
    if (box.width > 0 && box.height > 0) {
      var wanted = Math.min((chart.clientWidth - 24) / (box.width / zoom), (chart.clientHeight - 24) / (box.height / zoom));
      wanted = Math.max(0.4, Math.min(0.9, wanted));
      if (Math.abs(wanted - zoom) > 0.01) {
        zoom = wanted;
        applyZoom();
        box = node.getBoundingClientRect();
      }
    }
    var view = chart.getBoundingClientRect();
    var x = chart.scrollLeft + (box.left - view.left) + box.width / 2 - chart.clientWidth / 2;
    var y = chart.scrollTop + (box.top - view.top) + box.height / 2 - chart.clientHeight / 2;
    chart.scrollTo({ left: Math.max(0, x), top: Math.max(0, y), behavior: 'auto' });
  }
  function applyZoom() {
    var svg = $('chart').querySelector('svg');
    if (!svg || !natural) return;
    svg.style.width = Math.round(natural.w * zoom) + 'px';
    svg.style.height = Math.round(natural.h * zoom) + 'px';
  }
  function fit() {
    var chart = $('chart');
    if (!natural) return;
    zoom = Math.min((chart.clientWidth - 8) / natural.w, (chart.clientHeight - 8) / natural.h);
    applyZoom();
  }
  function drawChart() {
    if (!diagram || typeof mermaid === 'undefined') return;
    var text = showLabels ? diagram.full : diagram.compact;
    var id = 'wxchart' + (++renderCount);
    mermaid.render(id, text).then(function (out) {
      var chart = $('chart');
      chart.innerHTML = out.svg;
      var svg = chart.querySelector('svg');
      var vb = svg.viewBox && svg.viewBox.baseVal;
      natural = vb && vb.width ? { w: vb.width, h: vb.height } : { w: svg.getBBox().width, h: svg.getBBox().height };
      svg.removeAttribute('width');
      svg.style.maxWidth = 'none';
      applyZoom();
      chart.setAttribute('data-rendered', showLabels ? 'full' : 'compact');
      highlight();
    }).catch(function (err) {
      $('chart').textContent = 'The statechart could not be drawn: ' + (err && err.message ? err.message : String(err));
    });
  }
  function loadDiagram() {
    if (typeof mermaid === 'undefined') {
      $('chart').textContent = 'mermaid did not load.';
      return;
    }
    mermaid.initialize({ startOnLoad: false, securityLevel: 'strict', theme: 'default', state: { useMaxWidth: false } });
    fetch('/api/diagram').then(function (r) { return r.json(); }).then(function (d) { diagram = d; drawChart(); });
  }

  // ---- live updates
  function renderAll() {
    renderStatus(); renderLogin(); renderContacts(); renderFeed(); renderTransitions(); highlight();
  }
  function renderUpdate(u) {
    renderStatus();
    switch (u.kind) {
      case 'state': highlight(); break;
      case 'qr': case 'scanned': case 'login': case 'logout': renderLogin(); break;
      case 'contacts': renderContacts(); break;
      case 'feed': renderFeed(); break;
      case 'transition': case 'error': renderTransitions(); break;
    }
  }
  function connect() {
    var source = new EventSource('/api/events');
    var conn = $('conn');
    source.addEventListener('open', function () { conn.textContent = 'live'; conn.setAttribute('data-ok', 'true'); });
    source.addEventListener('error', function () { conn.textContent = 'reconnecting…'; conn.setAttribute('data-ok', 'false'); });
    // Every (re)connection starts with the whole state, so nothing is missed across a reconnect.
    source.addEventListener('snapshot', function (e) { state = JSON.parse(e.data); renderAll(); });
    source.addEventListener('update', function (e) {
      var msg = JSON.parse(e.data);
      if (!state || msg.seq <= state.seq) return;
      state = apply(state, msg.update);
      state.seq = msg.seq;
      renderUpdate(msg.update);
    });
  }

  // ---- actions
  function post(path, body) {
    return fetch(path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body || {}) })
      .then(function (r) { return r.json().then(function (j) { return { ok: r.ok, body: j }; }); });
  }
  $('send').addEventListener('submit', function (e) {
    e.preventDefault();
    var to = $('send-to-custom').value.trim() || $('send-to').value;
    var text = $('send-text').value;
    var result = $('send-result');
    if (!to || !text) { result.textContent = 'Choose a contact and write something.'; result.setAttribute('data-ok', 'false'); return; }
    $('send-button').disabled = true;
    result.textContent = 'sending…';
    result.removeAttribute('data-ok');
    post('/api/send', { to: to, text: text }).then(function (r) {
      result.setAttribute('data-ok', r.ok ? 'true' : 'false');
      result.textContent = r.ok ? 'sent (MsgId ' + r.body.msgId + ')' : 'not sent: ' + (r.body.reason || r.body.message || r.body.code);
      if (r.ok) $('send-text').value = '';
    }).catch(function (err) {
      result.setAttribute('data-ok', 'false');
      result.textContent = 'not sent: ' + err;
    }).then(function () { renderStatus(); });
  });
  $('logout').addEventListener('click', function () {
    $('logout').disabled = true;
    post('/api/logout', {}).catch(function () { $('logout').disabled = false; });
  });
  $('labels').addEventListener('click', function () { showLabels = !showLabels; zoom = showLabels ? 0.5 : 0.75; drawChart(); });
  // Zooming by hand stops the view from following the machine.
  $('zoom-in').addEventListener('click', function () { $('follow').checked = false; zoom = Math.min(2, zoom * 1.25); applyZoom(); });
  $('zoom-out').addEventListener('click', function () { $('follow').checked = false; zoom = Math.max(0.1, zoom / 1.25); applyZoom(); });
  $('follow').addEventListener('change', function () { highlight(); });
  $('zoom-fit').addEventListener('click', function () { $('follow').checked = false; fit(); });

  loadDiagram();
  connect();
})();
`;
