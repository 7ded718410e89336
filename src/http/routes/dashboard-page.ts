/**
 * The dashboard page: static HTML with no external assets; its script (dashboard-script.ts)
 * follows the node's live feed. Shows the leader and its term, per node its session, the age of
 * its last renewal, version, zone and weight (with a link to its own page), the leadership
 * history, buckets as a map coloured by owner (moves highlighted, grace left for vanished
 * nodes), every partitioned resource with master, standbys, tables and leaderless partitions,
 * and the operator's verbs: maintenance mode, pending requests (drain, leader transfer, ...) and
 * the newest actions with who asked.
 */
import { DASHBOARD_SCRIPT } from './dashboard-script.js';

export const DASHBOARD_PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>baton</title>
<style>body{font:14px/1.4 system-ui,sans-serif;margin:2em}table{border-collapse:collapse}td,th{padding:4px 12px;border-bottom:1px solid #ddd;text-align:left;vertical-align:top}
h2{font-size:1.1em;margin-top:1.6em}h2 small,h3 small{font-weight:normal;color:#555}h3{font-size:1em}.leader td:first-child{font-weight:bold}.leader{color:#0a6}.self{background:#eef6ff}
#maintenance.on{color:#fff;background:#b60;padding:0 .5em;font-weight:bold}#banner{background:#b00;color:#fff;font-weight:bold;padding:.8em 1em;margin:1em 0;font-size:1.1em}body[data-state=stale] main{opacity:.45;filter:grayscale(1)}
#status{color:#555}body[data-state=live] #status::before{content:"\\25cf live  ";color:#0a6}body[data-state=stale] #status::before{content:"\\25cf stale  ";color:#b00}
.map{display:flex;flex-wrap:wrap;gap:3px;max-width:60em}.cell{width:2.6em;height:2.2em;display:flex;align-items:center;justify-content:center;border-radius:3px;font-size:.8em;background:#eee}
.cell.none{background:repeating-linear-gradient(45deg,#fff,#fff 4px,#ddd 4px,#ddd 8px)}.cell.grace{outline:2px dashed #b60}.cell.moved{outline:3px solid #000;animation:glow 1s ease-in-out infinite alternate}
@keyframes glow{from{box-shadow:0 0 0 #000}to{box-shadow:0 0 8px #f80}}.key{display:inline-block;border-left:1.2em solid;padding:0 .8em 0 .4em;margin:.4em .4em 0 0}tr.leaderless td{color:#b00;font-weight:bold}</style></head>
<body data-state="stale"><h1>baton cluster <span id="cluster"></span></h1>
<p id="status">served by <span id="self">-</span> &middot; last update <span id="age">never</span></p>
<div id="banner" role="alert">STALE: no data from this node yet</div>
<main>
<p>Leader: <b id="leader" data-testid="leader">-</b> &middot; term <span id="term">-</span> &middot; since <span id="leaderSince">-</span></p>
<h2>Nodes</h2>
<table><thead><tr><th>node</th><th>role</th><th>session</th><th>last renewal</th><th>version</th><th>zone</th><th>weight</th><th>page</th></tr></thead><tbody id="members"></tbody></table>
<h2>Leadership history <small>(as this node saw it)</small></h2>
<table><thead><tr><th>time</th><th>term</th><th>from</th><th>to</th><th>reason</th><th>without leader</th></tr></thead><tbody id="history"></tbody></table>
<p id="historyEmpty"><small>no change seen yet</small></p>
<section id="operations"><h2>Operations <small id="maintenance" data-testid="maintenance">-</small></h2>
<table id="requestTable" hidden><thead><tr><th>pending request</th><th>as stored</th></tr></thead><tbody id="requests"></tbody></table>
<table><thead><tr><th>time</th><th>action</th><th>by</th><th>detail</th></tr></thead><tbody id="actions"></tbody></table>
<p id="actionsEmpty"><small>no operator action logged</small></p></section>
<section id="buckets" hidden><h2>Buckets <small id="bucketSummary"></small></h2><div id="bucketMap" class="map"></div><div id="bucketLegend"></div></section>
<section id="partitions" hidden><h2>Partitioned resources</h2><div id="resources"></div></section>
<p><a href="/docs">API docs</a> &middot; <a href="/openapi.json">OpenAPI</a> &middot; <a href="/metrics">metrics</a></p>
</main>
<script>${DASHBOARD_SCRIPT}</script></body></html>`;
