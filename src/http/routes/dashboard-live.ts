/**
 * The dashboard's data: `GET /dashboard/state` (one snapshot, for polling) and `GET /events`
 * (server-sent events: a `state` event at once and then every FEED_PERIOD_MS while someone
 * listens). Streams end when the server closes, so a page sees its node go away at once.
 */
import type { ServerResponse } from 'node:http';
import { systemClock } from '../../clock.js';
import { errorSchema } from '../schemas.js';
import { buildSnapshot, type DashboardSnapshot } from './dashboard-snapshot.js';
import { LeaderHistory } from './leader-history.js';
import type { RouteModule } from './route-module.js';

/** How often listeners get a fresh snapshot (ms); the page calls data older than 3 periods stale. */
export const FEED_PERIOD_MS = 1000;

export const dashboardLiveRoutes: RouteModule = (app, { node }) => {
  const stop = new AbortController();
  let history: LeaderHistory | null = null;
  const historyOf = (): LeaderHistory => {
    if (history === null) {
      history = new LeaderHistory(node.backend, systemClock);
      history.follow(stop.signal);
    }
    return history;
  };
  const streams = new Set<ServerResponse>();
  let timer: NodeJS.Timeout | null = null;
  let building: Promise<DashboardSnapshot> | null = null;
  const snapshot = (): Promise<DashboardSnapshot> => (building ??= buildSnapshot(app, node, historyOf()).finally(() => (building = null)));
  const send = (stream: ServerResponse, data: DashboardSnapshot): void => void stream.write(`event: state\ndata: ${JSON.stringify(data)}\n\n`);
  const broadcast = (): void => {
    snapshot().then((data) => streams.forEach((s) => send(s, data)), (error: unknown) => {
      const message = JSON.stringify({ code: 'STORE_READ_FAILED', message: String(error) });
      streams.forEach((s) => s.write(`event: failure\ndata: ${message}\n\n`));
    });
  };

  // The history starts with the API (not with the first page), and both end with it.
  app.addHook('onReady', async () => void historyOf());
  app.addHook('preClose', async () => {
    stop.abort();
    if (timer) clearInterval(timer);
    for (const stream of streams) stream.end();
    streams.clear();
  });

  app.get('/dashboard/state', {
    schema: {
      summary: 'Everything the dashboard shows, as one JSON snapshot (the polling fallback of GET /events)',
      description: 'cluster, self (GET /node of this node), leader, members (each with what its own GET /node says, null when it did not answer), history (leadership changes this node saw, newest first: at, term, from, to, reason, leaderlessMs), buckets (GET /buckets plus offlineGraceMs and per node graceLeftMs), resources (GET /resources/{name} of each configured resource), operations (GET /operations with the newest 10 actions, newest first).',
      tags: ['dashboard'],
      response: { 200: { type: 'object', additionalProperties: true }, 503: errorSchema },
    },
  }, async () => snapshot());

  app.get('/events', {
    schema: {
      summary: 'Server-sent events for the dashboard: a "state" event (the GET /dashboard/state snapshot) at once and every second',
      description: 'Content type text/event-stream. A "failure" event carries { code, message } when the store could not be read. The stream ends when the node closes.',
      tags: ['dashboard'],
      produces: ['text/event-stream'],
      response: { 200: { type: 'string' } },
    },
  }, async (request, reply) => {
    reply.hijack();
    const stream = reply.raw;
    stream.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', connection: 'keep-alive' });
    // Tells the browser how soon to reconnect when the stream ends (ms).
    stream.write(`retry: ${FEED_PERIOD_MS}\n\n`);
    streams.add(stream);
    request.raw.on('close', () => {
      streams.delete(stream);
      if (streams.size > 0 || timer === null) return;
      clearInterval(timer);
      timer = null;
    });
    void snapshot().then((data) => send(stream, data), () => undefined);
    timer ??= setInterval(broadcast, FEED_PERIOD_MS);
  });
};
