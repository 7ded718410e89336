/**
 * The dashboard page: static HTML whose script polls the node's own API once a second, with no
 * external assets. It always shows members and leader (`/cluster`); the bucket assignment
 * (`/buckets`) when the cluster uses buckets, and who leads each partition (`/leader/tables`,
 * the node's first resource) when this node runs partitioned resources. Rows of this node are
 * marked. All text goes in through textContent, never as HTML.
 */
export const DASHBOARD_PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>baton</title>
<style>body{font:14px/1.4 system-ui,sans-serif;margin:2em}table{border-collapse:collapse}td,th{padding:4px 12px;border-bottom:1px solid #ddd;text-align:left;vertical-align:top}
h2{font-size:1.1em;margin-top:1.6em}h2 small{font-weight:normal;color:#555}.leader{font-weight:bold;color:#0a6}.self{background:#eef6ff}.err{color:#b00}</style></head>
<body><h1>baton cluster <span id="cluster"></span></h1>
<p>Leader: <span id="leader">-</span> &middot; term <span id="term">-</span> &middot; seen from <span id="self"></span> <span id="err" class="err"></span></p>
<table><thead><tr><th>node</th><th>host</th><th>ports</th><th>zone</th><th>role</th></tr></thead><tbody id="members"></tbody></table>
<section id="buckets" hidden><h2>Buckets <small id="bucketSummary"></small></h2>
<table><thead><tr><th>node</th><th>state</th><th>count</th><th>buckets</th></tr></thead><tbody id="bucketRows"></tbody></table></section>
<section id="partitions" hidden><h2>Partitions <small id="partitionSummary"></small></h2>
<table><thead><tr><th>partition</th><th>leader</th><th>tables</th></tr></thead><tbody id="partitionRows"></tbody></table></section>
<p><a href="/docs">API docs</a> &middot; <a href="/metrics">metrics</a></p>
<script>
const $ = (id) => document.getElementById(id);
// "1-3,7" from bucket ids in numeric order.
function ranges(ids) {
  const parts = []; let start = null; let prev = null;
  for (const n of ids.map(Number)) {
    if (prev !== null && n === prev + 1) { prev = n; continue; }
    if (start !== null) parts.push(start === prev ? String(start) : start + '-' + prev);
    start = prev = n;
  }
  if (start !== null) parts.push(start === prev ? String(start) : start + '-' + prev);
  return parts.join(',') || '-';
}
// Replaces a table body's rows: each row is { cells: [text...], className }.
function fill(bodyId, rows) {
  const body = $(bodyId); body.textContent = '';
  for (const r of rows) {
    const row = document.createElement('tr'); row.className = r.className;
    for (const text of r.cells) { const td = document.createElement('td'); td.textContent = String(text); row.append(td); }
    body.append(row);
  }
}
async function showCluster() {
  const view = await (await fetch('/cluster')).json();
  if (!view.members) throw new Error(view.message || 'unavailable');
  $('cluster').textContent = view.cluster;
  $('leader').textContent = view.leader ? view.leader.nodeId : 'none'; $('term').textContent = view.term ?? '-';
  $('self').textContent = view.self.nodeId + ' (session ' + view.self.session + ')';
  const selfId = view.self.nodeId;
  fill('members', view.members.map((m) => ({
    className: m.leader ? 'leader' : '',
    cells: [m.nodeId, m.info.host ?? '', Object.entries(m.info.ports ?? {}).map(([k, v]) => k + '=' + v).join(' '), m.info.zone ?? '', m.leader ? 'leader' : 'follower'],
  })));
  return selfId;
}
async function showBuckets() {
  const reply = await fetch('/buckets');
  const b = reply.ok ? await reply.json() : null;
  // Shown when this node runs buckets or the store holds an assignment (another node runs them).
  $('buckets').hidden = !b || (!b.enabled && !b.nodes.some((n) => n.count > 0));
  if ($('buckets').hidden) return;
  $('bucketSummary').textContent = b.bucketCount + ' buckets \\u00b7 this node owns ' + b.self.owned.length
    + (b.unassigned.length ? ' \\u00b7 unassigned ' + ranges(b.unassigned) : '')
    + (b.corruptKeys.length ? ' \\u00b7 corrupt: ' + b.corruptKeys.join(', ') : '');
  fill('bucketRows', b.nodes.map((n) => ({
    className: n.nodeId === b.self.nodeId ? 'self' : '',
    cells: [n.nodeId, n.state + (n.corrupt ? ' (corrupt)' : ''), n.count, ranges(n.buckets)],
  })));
}
async function showPartitions(selfId) {
  const reply = await fetch('/leader/tables');
  const t = reply.ok ? await reply.json() : null;
  $('partitions').hidden = !t;
  if (!t) return;
  const entries = Object.entries(t.leadControllerEntryMap);
  const mine = entries.filter(([, e]) => e.leadControllerId === selfId).length;
  $('partitionSummary').textContent = t.leadControllerResourceEnabled
    ? entries.length + ' partitions \\u00b7 this node leads ' + mine + ' \\u00b7 leaderless ' + entries.filter(([, e]) => !e.leadControllerId).length
    : 'resource disabled: the cluster leader leads every table';
  fill('partitionRows', entries.map(([name, e]) => ({
    className: e.leadControllerId === selfId ? 'self' : '',
    cells: [name, e.leadControllerId ?? '(none)', e.tableNames.join(' ')],
  })));
}
async function refresh() {
  try {
    const selfId = await showCluster();
    await Promise.all([showBuckets(), showPartitions(selfId)]);
    $('err').textContent = '';
  } catch (e) { $('err').textContent = String(e.message || e); }
}
refresh(); setInterval(refresh, 1000);
</script></body></html>`;
