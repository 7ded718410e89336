import type { RouteModule } from './route-module.js';

/** The dashboard: a static page whose script polls /cluster once a second. */
const DASHBOARD_PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>baton</title>
<style>body{font:14px/1.4 system-ui,sans-serif;margin:2em}table{border-collapse:collapse}td,th{padding:4px 12px;border-bottom:1px solid #ddd;text-align:left}
.leader{font-weight:bold;color:#0a6}.err{color:#b00}</style></head>
<body><h1>baton cluster <span id="cluster"></span></h1>
<p>Leader: <span id="leader">-</span> &middot; term <span id="term">-</span> &middot; seen from <span id="self"></span> <span id="err" class="err"></span></p>
<table><thead><tr><th>node</th><th>host</th><th>ports</th><th>zone</th><th>role</th></tr></thead><tbody id="members"></tbody></table>
<p><a href="/docs">API docs</a> &middot; <a href="/metrics">metrics</a></p>
<script>
const $ = (id) => document.getElementById(id);
function cell(row, text) { const td = document.createElement('td'); td.textContent = text; row.append(td); }
async function refresh() {
  try {
    const view = await (await fetch('/cluster')).json();
    if (!view.members) throw new Error(view.message || 'unavailable');
    $('cluster').textContent = view.cluster; $('err').textContent = '';
    $('leader').textContent = view.leader ? view.leader.nodeId : 'none'; $('term').textContent = view.term ?? '-';
    $('self').textContent = view.self.nodeId + ' (session ' + view.self.session + ')';
    const body = $('members'); body.textContent = '';
    for (const m of view.members) {
      const row = document.createElement('tr'); if (m.leader) row.className = 'leader';
      cell(row, m.nodeId); cell(row, m.info.host ?? ''); cell(row, Object.entries(m.info.ports ?? {}).map(([k, v]) => k + '=' + v).join(' '));
      cell(row, m.info.zone ?? ''); cell(row, m.leader ? 'leader' : 'follower'); body.append(row);
    }
  } catch (e) { $('err').textContent = String(e.message || e); }
}
refresh(); setInterval(refresh, 1000);
</script></body></html>`;

/** `GET /`: the dashboard. */
export const dashboardRoutes: RouteModule = (app) => {
  app.get('/', {
    schema: { summary: 'Dashboard (HTML)', tags: ['docs'], produces: ['text/html'], response: { 200: { type: 'string' } } },
  }, async (_request, reply) => reply.type('text/html; charset=utf-8').send(DASHBOARD_PAGE));
};
