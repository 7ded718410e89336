/**
 * The dashboard's script (browser JavaScript, as a string): follows GET /events (server-sent
 * events) and falls back to polling GET /dashboard/state; shows the time of the last update and
 * turns the page stale (red banner, body[data-state=stale], greyed content) when the node stops
 * answering, no update came for STALE_AFTER_MS, or the node's own session is not live. All text
 * goes in through textContent, never as HTML.
 */
export const DASHBOARD_SCRIPT = `
const STALE_AFTER_MS = 3000, POLL_MS = 1000, MOVE_GLOW_MS = 4000;
const $ = (id) => document.getElementById(id);
let lastUpdate = 0, lastState = null, connectionProblem = null;
const bucketOwner = new Map(), movedAt = new Map();
function el(tag, text, className) { const e = document.createElement(tag); if (text !== undefined) e.textContent = String(text); if (className) e.className = className; return e; }
// Hues 137.5 degrees apart for ids one character apart (node-1, node-2, ...): easy to tell apart.
function colourOf(nodeId) { let h = 0; for (const c of String(nodeId)) h = (h * 31 + c.charCodeAt(0)) >>> 0; return 'hsl(' + Math.round((h * 137.508) % 360) + ',65%,70%)'; }
function secs(ms) { return ms === null || ms === undefined ? '-' : (ms / 1000).toFixed(1) + ' s'; }
function clock(epochMs) { return new Date(epochMs).toLocaleTimeString(); }
function fill(bodyId, rows) {
  const body = $(bodyId); body.textContent = '';
  for (const r of rows) {
    const tr = el('tr', undefined, r.className || '');
    for (const cell of r.cells) { const td = el('td'); if (cell instanceof Node) td.append(cell); else td.textContent = String(cell); tr.append(td); }
    body.append(tr);
  }
}
function setStale(reason) {
  const stale = reason !== null;
  document.body.dataset.state = stale ? 'stale' : 'live';
  $('banner').hidden = !stale;
  if (stale) $('banner').textContent = 'STALE: ' + reason + '. What this page shows may be out of date' + (lastUpdate ? ' (last update ' + clock(lastUpdate) + ')' : '') + '.';
}
function judge() {
  const age = lastUpdate ? Date.now() - lastUpdate : Infinity;
  $('age').textContent = lastUpdate ? clock(lastUpdate) + ' (' + secs(age) + ' ago)' : 'never';
  if (connectionProblem) return setStale(connectionProblem);
  if (age > STALE_AFTER_MS) return setStale(lastUpdate ? 'no update for ' + secs(age) : 'no data from this node yet');
  if (lastState && lastState.self.session !== 'live') return setStale('this node\\'s session is ' + lastState.self.session + ', so it may not see the cluster as it is');
  setStale(null);
}
function render(s) {
  lastState = s; lastUpdate = Date.now(); connectionProblem = null;
  $('cluster').textContent = s.cluster;
  $('self').textContent = s.self.nodeId + ' (session ' + s.self.session + ', baton ' + s.self.version + ')';
  $('leader').textContent = s.leader ? s.leader.nodeId : 'none';
  $('term').textContent = s.leader ? s.leader.term : '-';
  $('leaderSince').textContent = s.leader ? clock(s.leader.since) : '-';
  fill('members', s.members.map((m) => {
    const link = m.url ? Object.assign(el('a', m.nodeId), { href: m.url + '/' }) : el('span', m.nodeId);
    const st = m.status;
    return { className: (m.leader ? 'leader ' : '') + (m.nodeId === s.self.nodeId ? 'self' : ''), cells: [link, m.leader ? 'leader' : 'follower',
      st ? st.session : 'not answering', st ? secs(st.lastRenewalAgeMs) : '-', st ? st.version : '-', (st ? st.zone : m.info.zone) ?? '-', (st ? st.weight : m.info.weight) ?? '-', m.url ?? '-'] };
  }));
  fill('history', s.history.map((h) => ({ cells: [clock(h.at), h.term ?? '-', h.from ?? '-', h.to ?? '-', h.reason, secs(h.leaderlessMs)] })));
  $('historyEmpty').hidden = s.history.length > 0;
  renderBuckets(s.buckets);
  renderResources(s.resources);
  renderOperations(s.operations);
  judge();
}
function renderBuckets(b) {
  $('buckets').hidden = !b || (!b.enabled && !b.nodes.some((n) => n.count > 0));
  if ($('buckets').hidden) return;
  const owner = new Map(), now = Date.now();
  for (const n of b.nodes) for (const id of n.buckets) owner.set(id, n);
  const map = $('bucketMap'); map.textContent = '';
  for (let i = 1; i <= b.bucketCount; i += 1) {
    const id = String(i), n = owner.get(id), was = bucketOwner.get(id);
    if (was !== undefined && was !== (n ? n.nodeId : null)) movedAt.set(id, now);
    bucketOwner.set(id, n ? n.nodeId : null);
    const cell = el('div', id, 'cell' + (n ? '' : ' none') + (n && n.state !== 'live' ? ' grace' : '') + (now - (movedAt.get(id) || 0) < MOVE_GLOW_MS ? ' moved' : ''));
    cell.dataset.bucket = id; cell.dataset.owner = n ? n.nodeId : '';
    cell.title = 'bucket ' + id + ': ' + (n ? n.nodeId + ' (' + n.state + ')' : 'no owner');
    if (n) cell.style.background = colourOf(n.nodeId);
    map.append(cell);
  }
  const legend = $('bucketLegend'); legend.textContent = '';
  for (const n of b.nodes) {
    const item = el('span', n.nodeId + ': ' + n.count + (n.state === 'grace' ? ' (vanished, grace left ' + secs(n.graceLeftMs) + ')' : n.state === 'leaving' ? ' (gone, moving)' : ''), 'key');
    item.style.borderColor = colourOf(n.nodeId); legend.append(item);
  }
  $('bucketSummary').textContent = b.bucketCount + ' buckets' + (b.unassigned.length ? ' \\u00b7 without owner: ' + b.unassigned.join(',') : '') + (b.corruptKeys.length ? ' \\u00b7 corrupt: ' + b.corruptKeys.join(', ') : '');
}
function renderResources(list) {
  const box = $('resources'); box.textContent = '';
  $('partitions').hidden = list.length === 0;
  for (const r of list) {
    const leaderless = r.placement.filter((p) => !p.leader);
    const head = el('h3', r.name + ' ');
    head.append(el('small', r.enabled ? r.partitions + ' partitions \\u00b7 ' + r.replicas + ' replicas \\u00b7 leaderless: ' + (leaderless.length ? leaderless.map((p) => p.partition).join(',') : 'none') : 'disabled: the cluster leader leads every table'));
    box.append(head);
    const table = el('table'); table.innerHTML = '<thead><tr><th>partition</th><th>master</th><th>standbys</th><th>tables</th></tr></thead>';
    const body = el('tbody'); body.className = 'partitionRows';
    for (const p of r.placement) {
      const tr = el('tr', undefined, p.leader ? '' : 'leaderless');
      tr.append(el('td', p.partition), el('td', p.leader ?? '(none)'), el('td', p.nodes.filter((n) => n !== p.leader).join(' ') || '-'), el('td', p.keys.join(' ') || '-'));
      body.append(tr);
    }
    table.append(body); box.append(table);
  }
}
function renderOperations(o) {
  $('operations').hidden = !o;
  if (!o) return;
  const m = o.maintenance, st = m.stored;
  $('maintenance').className = m.active ? 'on' : '';
  $('maintenance').textContent = m.active
    ? 'MAINTENANCE: placement frozen since ' + st.since + ' by ' + st.by + (st.auto ? ' (automatic)' : '') + (st.until ? ' until ' + st.until : '') + ': ' + st.reason
    : 'maintenance off' + (m.problem ? ' (' + m.problem + ')' : '');
  const requests = Object.entries(o.requests);
  $('requestTable').hidden = requests.length === 0;
  fill('requests', requests.map(([key, value]) => ({ cells: [key, JSON.stringify(value)] })));
  fill('actions', o.actions.map((a) => ({ cells: [a.at, a.verb, a.by, JSON.stringify(a.detail)] })));
  $('actionsEmpty').hidden = o.actions.length > 0;
}
let polling = null;
async function poll() {
  try {
    const reply = await fetch('/dashboard/state', { cache: 'no-store' });
    if (!reply.ok) throw new Error('HTTP ' + reply.status);
    render(await reply.json());
  } catch (e) { connectionProblem = 'this node is not answering (' + (e.message || e) + ')'; judge(); }
}
function startPolling() { if (polling === null) polling = setInterval(() => { if (Date.now() - lastUpdate > POLL_MS * 1.5) poll(); }, POLL_MS); }
if (window.EventSource) {
  const events = new EventSource('/events');
  events.addEventListener('state', (e) => render(JSON.parse(e.data)));
  events.addEventListener('failure', (e) => { connectionProblem = 'the node cannot read its store: ' + JSON.parse(e.data).message; judge(); });
  events.onerror = () => { connectionProblem = 'lost the live connection to this node'; judge(); startPolling(); };
} else { poll(); startPolling(); }
setInterval(judge, 500);
judge();
`;
