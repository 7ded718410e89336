import type { RouteModule } from './route-module.js';

/** A small page that lists the API from /openapi.json (no external assets). */
const DOCS_PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>baton API</title>
<style>body{font:14px/1.4 system-ui,sans-serif;margin:2em;max-width:60em}h2{font-size:1.1em;margin-top:1.6em}
code,pre{background:#f4f4f4;padding:2px 4px}pre{padding:.6em;overflow:auto}.m{font-weight:bold;text-transform:uppercase;margin-right:.5em}</style></head>
<body><h1>baton HTTP API</h1><p>Machine-readable: <a href="/openapi.json">/openapi.json</a>. Errors are JSON <code>{ "code", "message" }</code>.</p>
<div id="ops">loading...</div>
<script>
fetch('/openapi.json').then(r => r.json()).then(doc => {
  const ops = document.getElementById('ops'); ops.textContent = '';
  for (const [path, methods] of Object.entries(doc.paths)) for (const [method, op] of Object.entries(methods)) {
    const h = document.createElement('h2');
    h.innerHTML = '<span class="m"></span><code></code>';
    h.firstChild.textContent = method; h.lastChild.textContent = path; ops.append(h);
    const p = document.createElement('p'); p.textContent = (op.summary || '') + (op.description ? ' - ' + op.description : '') + (op.security ? ' (requires bearer token)' : ''); ops.append(p);
    if (op.parameters) {
      const list = document.createElement('ul');
      for (const param of op.parameters) {
        const item = document.createElement('li');
        item.textContent = param.in + ' parameter ' + param.name + (param.required ? ' (required)' : '') + ': ' + JSON.stringify(param.schema) + (param.description ? ' - ' + param.description : '');
        list.append(item);
      }
      ops.append(list);
    }
    if (op.requestBody) {
      const pre = document.createElement('pre');
      pre.textContent = 'request body\\n' + JSON.stringify(Object.values(op.requestBody.content)[0].schema, null, 2);
      ops.append(pre);
    }
    for (const [status, r] of Object.entries(op.responses)) {
      const pre = document.createElement('pre');
      const content = r.content ? Object.values(r.content)[0] : null;
      pre.textContent = status + ' ' + r.description + (content ? '\\n' + JSON.stringify(content.schema, null, 2) : '');
      ops.append(pre);
    }
  }
});
</script></body></html>`;

/** `GET /openapi.json` (built from the route schemas) and `GET /docs` (a page that reads it). */
export const docsRoutes: RouteModule = (app, { openapi }) => {
  app.get('/openapi.json', {
    schema: { summary: 'OpenAPI 3 document of this API', tags: ['docs'], response: { 200: { type: 'object', additionalProperties: true } } },
  }, async () => openapi.document({ title: 'baton node API', version: '1', description: 'Cluster membership, leadership and node health of a baton node.' }));

  app.get('/docs', {
    schema: { summary: 'Human-readable API documentation', tags: ['docs'], produces: ['text/html'], response: { 200: { type: 'string' } } },
  }, async (_request, reply) => reply.type('text/html; charset=utf-8').send(DOCS_PAGE));
};
