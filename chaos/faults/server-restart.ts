/**
 * The store's server process restarted for real: crashed (PostgreSQL `pg_ctl stop -m immediate`,
 * MariaDB SIGKILL), down for a moment, started again on the same data. Every connection is lost,
 * server-side state (row locks, sessions) with it; committed rows must survive. Only on a server
 * the suite started itself (the machine's shared servers are never restarted).
 */
import { TIMING } from '../timing.js';
import { beginFault, endFault, sleep, type Fault } from './fault.js';

/**
 * Down time between the crash and the start, ms, a random value between these (clients see
 * refused connections meanwhile): from shorter than `renewDeadlineMs` (holders keep their leases
 * across the restart) to longer than the TTL (every lease expires while the server is down, so
 * every holder must stop acting on its own).
 */
const DOWN_MIN_MS = 500;
const DOWN_MAX_MS = 1.5 * TIMING.ttlMs;

export const serverRestartFault: Fault = {
  name: 'server-restart',
  description: `crash the store's server (PostgreSQL: pg_ctl stop -m immediate; MariaDB: SIGKILL), start it again ${DOWN_MIN_MS / 1000} to ${DOWN_MAX_MS / 1000} s later; on a private server the suite starts`,
  needsPrivateServer: true,
  appliesTo: (store) => store.server !== undefined,
  async run(context) {
    const server = context.store.server!;
    const downMs = Math.round(DOWN_MIN_MS + context.random() * (DOWN_MAX_MS - DOWN_MIN_MS));
    beginFault(context, `${server.kind} server crashed, down ${downMs} ms`, true);
    await server.crash();
    await sleep(context, downMs);
    await server.start();
    endFault(context, `${server.kind} server accepting connections`, true);
  },
};
