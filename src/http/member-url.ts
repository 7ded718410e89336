import type { JsonObject } from '../contract/json.js';

/** A member's HTTP API base URL from its advertised `host` and `http` port; null when it advertises none. */
export function memberUrl(info: JsonObject): string | null {
  const host = typeof info.host === 'string' ? info.host : null;
  const port = (info.ports as JsonObject | undefined)?.http;
  if (host === null || typeof port !== 'number') return null;
  return `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
}
