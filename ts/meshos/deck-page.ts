// The Deck page: one plain HTML document, a stylesheet and a script (no framework). The script
// opens an EventSource on /events and re-renders on every pushed snapshot (the server pushes one
// per structural change); it never polls. Every string from the snapshot (capability tags,
// reasons, log lines: some come from remote peers) is inserted as text, never as markup.

export const DECK_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>net-mesh Deck</title>
<link rel="stylesheet" href="/deck.css">
<script src="/deck.js" defer></script>
</head>
<body>
<header>
  <h1>net-mesh Deck <span id="node" class="mono"></span></h1>
  <div class="meta">
    <span id="conn" class="badge conn-connecting" data-state="connecting">connecting</span>
    <span>change <b id="change" class="mono">–</b></span>
    <span>as of <b id="taken" class="mono">–</b></span>
  </div>
</header>
<main>
  <section class="cards">
    <div class="card"><h2>Maintenance</h2><div id="maintenance" data-state="">–</div></div>
    <div class="card"><h2>Freeze</h2><div id="freeze" data-state="">–</div></div>
    <div class="card"><h2>Scheduling</h2><div id="scheduling" data-state="">–</div></div>
    <div class="card"><h2>Peers</h2><div id="peer-summary">–</div></div>
    <div class="card"><h2>Daemons</h2><div id="daemon-summary">–</div></div>
  </section>
  <section>
    <h2>Peers</h2>
    <table><thead><tr><th>Node</th><th>Health</th><th>RTT</th><th>Maintenance</th><th>Avoided</th><th>Capabilities</th></tr></thead>
    <tbody id="peers"></tbody></table>
  </section>
  <section>
    <h2>Daemons</h2>
    <table><thead><tr><th>Id</th><th>Name</th><th>Lifecycle</th><th>Health</th><th>Restart</th><th>Saturation</th><th>Since</th></tr></thead>
    <tbody id="daemons"></tbody></table>
  </section>
  <section class="two">
    <div><h2>Avoid list</h2>
      <table><thead><tr><th>Node</th><th>Reason</th><th>Until</th></tr></thead><tbody id="avoid"></tbody></table></div>
    <div><h2>Recent failures</h2>
      <table><thead><tr><th>Time</th><th>Source</th><th>Reason</th></tr></thead><tbody id="failures"></tbody></table></div>
  </section>
  <section class="two">
    <div><h2>Admin audit</h2>
      <table><thead><tr><th>Time</th><th>Event</th><th>Outcome</th></tr></thead><tbody id="audit"></tbody></table></div>
    <div><h2>Recent actions</h2>
      <table><thead><tr><th>Id</th><th>Kind</th><th>Age</th></tr></thead><tbody id="actions"></tbody></table></div>
  </section>
  <section>
    <h2>Log</h2>
    <table><thead><tr><th>Time</th><th>Level</th><th>Source</th><th>Message</th></tr></thead><tbody id="log"></tbody></table>
  </section>
</main>
</body>
</html>
`;

export const DECK_CSS = `:root { color-scheme: light dark; --ok: #1a7f37; --warn: #b58105; --bad: #cf222e; --muted: #6e7781; --line: #d0d7de; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; }
header { display: flex; flex-wrap: wrap; align-items: baseline; justify-content: space-between; gap: 8px; padding: 12px 20px; border-bottom: 1px solid var(--line); }
h1 { margin: 0; font-size: 18px; }
h2 { margin: 18px 0 6px; font-size: 14px; text-transform: uppercase; letter-spacing: .04em; color: var(--muted); }
.card h2 { margin-top: 0; }
main { padding: 0 20px 30px; }
.meta { display: flex; gap: 14px; align-items: center; color: var(--muted); }
.mono, td.mono { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 12.5px; }
.cards { display: grid; grid-template-columns: repeat(auto-fit, minmax(170px, 1fr)); gap: 10px; margin-top: 16px; }
.card { border: 1px solid var(--line); border-radius: 6px; padding: 10px 12px; }
.two { display: grid; grid-template-columns: repeat(auto-fit, minmax(380px, 1fr)); gap: 0 24px; }
table { width: 100%; border-collapse: collapse; }
th, td { text-align: left; padding: 4px 8px; border-bottom: 1px solid var(--line); vertical-align: top; }
th { font-weight: 600; font-size: 12px; color: var(--muted); }
td.empty { color: var(--muted); font-style: italic; }
.badge { display: inline-block; padding: 1px 8px; border-radius: 10px; font-size: 12px; font-weight: 600; border: 1px solid currentColor; }
.ok, .health-healthy, .lifecycle-running, .conn-live { color: var(--ok); }
.warn, .health-degraded, .lifecycle-starting, .lifecycle-stopping, .restart-backingOff, .conn-connecting, .conn-reconnecting { color: var(--warn); }
.bad, .health-unreachable, .restart-crashLooping, .outcome-rejected, .level-error, .conn-closed { color: var(--bad); }
.health-unknown, .lifecycle-stopped { color: var(--muted); }
.caps { max-width: 420px; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; color: var(--muted); }
`;

export const DECK_JS = `'use strict';
(function () {
  var $ = function (id) { return document.getElementById(id); };

  // u64 values arrive as exact JSON integers: keep the large ones exact (as BigInt) where the
  // browser exposes the source text, instead of rounding them through a double.
  function parse(text) {
    return JSON.parse(text, function (key, value, context) {
      if (typeof value === 'number' && Number.isInteger(value) && !Number.isSafeInteger(value) && context && typeof context.source === 'string') return BigInt(context.source);
      return value;
    });
  }

  function el(tag, attrs) {
    var e = document.createElement(tag);
    if (attrs) for (var k in attrs) {
      if (attrs[k] === undefined) continue;
      if (k === 'class') e.className = attrs[k];
      else if (k === 'title') e.title = attrs[k];
      else e.setAttribute(k, attrs[k]);
    }
    for (var i = 2; i < arguments.length; i++) {
      var c = arguments[i];
      if (c === undefined || c === null) continue;
      e.appendChild(typeof c === 'object' ? c : document.createTextNode(String(c)));
    }
    return e;
  }

  function badge(cls, text) { return el('span', { class: 'badge ' + cls }, text); }

  function fill(tbody, rows, cols, empty) {
    tbody.replaceChildren();
    if (rows.length === 0) tbody.appendChild(el('tr', null, el('td', { class: 'empty', colspan: String(cols) }, empty)));
    rows.forEach(function (r) { tbody.appendChild(r); });
  }

  function clock(ms) { return new Date(Number(ms)).toLocaleTimeString(); }
  function duration(ms) {
    var s = Number(ms) / 1000;
    if (s < 1) return Number(ms) + ' ms';
    if (s < 120) return s.toFixed(1) + ' s';
    if (s < 7200) return (s / 60).toFixed(1) + ' min';
    return (s / 3600).toFixed(1) + ' h';
  }

  function render(s) {
    var taken = Number(s.counters.takenAtMs);
    $('node').textContent = String(s.nodeId);
    $('change').textContent = '#' + String(s.counters.structuralChanges);
    $('taken').textContent = clock(taken);

    var m = s.localMaintenance;
    var mText = m.kind === 'active' ? 'active' : m.kind + (m.reason ? ': ' + m.reason : '') + (m.deadlineRemainingMs !== undefined ? ' (deadline ' + clock(taken + Number(m.deadlineRemainingMs)) + ')' : '');
    $('maintenance').replaceChildren(badge(m.kind === 'active' ? 'ok' : 'warn', mText));
    $('maintenance').dataset.state = m.kind;
    var frozen = s.freezeRemainingMs !== undefined;
    $('freeze').replaceChildren(frozen ? badge('bad', 'frozen until ' + clock(taken + Number(s.freezeRemainingMs))) : badge('ok', 'not frozen'));
    $('freeze').dataset.state = frozen ? 'frozen' : 'thawed';
    var sch = s.scheduling;
    var schText = sch.draining ? 'draining' : sch.cordoned ? 'cordoned' : 'schedulable';
    $('scheduling').replaceChildren(badge(schText === 'schedulable' ? 'ok' : 'warn', schText));
    $('scheduling').dataset.state = schText;

    var peerIds = Object.keys(s.peers);
    var counts = { healthy: 0, degraded: 0, unreachable: 0, unknown: 0 };
    var peerRows = peerIds.map(function (id) {
      var p = s.peers[id];
      var h = p.health || 'unknown';
      counts[h]++;
      var avoid = s.avoidList[id];
      var caps = p.capabilitySet || [];
      return el('tr', { 'data-peer': id, 'data-health': h },
        el('td', { class: 'mono' }, id),
        el('td', null, badge('health-' + h, h)),
        el('td', null, p.rttMs !== undefined ? String(p.rttMs) + ' ms' : '–'),
        el('td', null, p.maintenance || '–'),
        el('td', null, avoid ? badge('warn', 'avoided') : '–'),
        el('td', { class: 'caps mono', title: caps.join('\\n') }, caps.length ? caps.length + ': ' + caps.join(', ') : '–'));
    });
    fill($('peers'), peerRows, 6, 'no peers');
    $('peer-summary').textContent = counts.healthy + ' healthy · ' + counts.degraded + ' degraded · ' + counts.unreachable + ' unreachable' + (counts.unknown ? ' · ' + counts.unknown + ' unknown' : '');

    var daemonIds = Object.keys(s.daemons);
    var running = 0;
    var daemonRows = daemonIds.map(function (id) {
      var d = s.daemons[id];
      if (d.lifecycle === 'running') running++;
      var r = d.restartState;
      var restart = r.kind === 'idle' ? '–' : badge('restart-' + r.kind, (r.kind === 'backingOff' ? 'backing off' : 'crash looping') + ' until ' + clock(taken + Number(r.untilMs)));
      var health = d.health ? (d.health.kind + (d.health.reason ? ': ' + d.health.reason : '')) : '–';
      return el('tr', { 'data-daemon': d.name, 'data-lifecycle': d.lifecycle, 'data-restart': r.kind },
        el('td', { class: 'mono' }, id),
        el('td', null, d.name),
        el('td', null, badge('lifecycle-' + d.lifecycle, d.lifecycle)),
        el('td', null, health),
        el('td', null, restart),
        el('td', null, (d.saturation * 100).toFixed(0) + '%'),
        el('td', null, clock(taken - Number(d.ageMs))));
    });
    fill($('daemons'), daemonRows, 7, 'no daemons registered');
    $('daemon-summary').textContent = running + ' of ' + daemonIds.length + ' running';

    fill($('avoid'), Object.keys(s.avoidList).map(function (id) {
      var a = s.avoidList[id];
      return el('tr', { 'data-avoid': id }, el('td', { class: 'mono' }, id), el('td', null, a.reason), el('td', null, clock(taken + Number(a.ttlMs))));
    }), 3, 'nobody avoided');

    fill($('failures'), s.recentFailures.slice(-20).reverse().map(function (f) {
      return el('tr', { 'data-failure': f.source }, el('td', null, clock(f.recordedAtMs)), el('td', { class: 'mono' }, f.source), el('td', null, f.reason));
    }), 3, 'no failures');

    fill($('audit'), s.adminAudit.slice(-10).reverse().map(function (a) {
      return el('tr', null, el('td', null, clock(a.recordedAtMs)), el('td', null, a.kind + (a.detail ? ' ' + a.detail : '')),
        el('td', null, badge('outcome-' + a.outcome, a.outcome + (a.reason ? ': ' + a.reason : ''))));
    }), 3, 'no admin events');

    fill($('actions'), s.recentlyEmitted.slice(-10).reverse().map(function (a) {
      return el('tr', null, el('td', { class: 'mono' }, String(a.id)), el('td', null, a.kind), el('td', null, duration(a.ageMs)));
    }), 3, 'no actions');

    fill($('log'), s.logRing.slice(-50).reverse().map(function (l) {
      return el('tr', null, el('td', null, clock(l.recordedAtMs)), el('td', { class: 'level-' + l.level }, l.level), el('td', { class: 'mono' }, l.source), el('td', null, l.message));
    }), 4, 'no log lines');
  }

  function connection(state) {
    var c = $('conn');
    c.textContent = state;
    c.dataset.state = state;
    c.className = 'badge conn-' + state;
  }

  var source = new EventSource('/events');
  source.addEventListener('open', function () { connection('live'); });
  source.addEventListener('error', function () { if (source.readyState !== EventSource.CLOSED) connection('reconnecting'); });
  source.addEventListener('snapshot', function (e) {
    render(parse(e.data));
    document.body.dataset.change = e.lastEventId;
  });
  source.addEventListener('closed', function () {
    source.close();
    connection('closed');
  });
})();
`;
