/**
 * PostgreSQL advisory locks through the `advisory-lock` package, as its README shows for
 * leader election: `mutex.lock()` waits (inside pg_advisory_lock, on a connection of its own)
 * and resolves with `unlock`; the holder leads until it calls `unlock()`. The package has no
 * TTL and no notion of losing the lock, so isLeader is "lock() resolved and unlock() not yet
 * called"; its write is a plain UPDATE (nothing to fence it with).
 */
import advisoryLockModule from 'advisory-lock';
import pg from 'pg';
import type { OpenContender } from './contender.js';

// A CommonJS build: imported from ESM, its `exports.default` is one level down.
const advisoryLock = (advisoryLockModule as unknown as { default: typeof advisoryLockModule.default }).default;

export const open: OpenContender = async ({ address, id, election }) => {
  const mutex = advisoryLock(address)(election);
  const writer = new pg.Client({ connectionString: address });
  writer.on('error', () => undefined); // the harness's own client: its outage is reported by the write
  await writer.connect();
  await writer.query('CREATE TABLE IF NOT EXISTS bench_leader_write (name TEXT PRIMARY KEY, writer TEXT)');
  let unlock: (() => Promise<void>) | undefined;
  return {
    async campaign() {
      unlock = await mutex.lock();
    },
    isLeader: () => unlock !== undefined,
    async resign() {
      const release = unlock;
      unlock = undefined;
      await release?.();
    },
    async leaderWrite() {
      await writer.query('INSERT INTO bench_leader_write VALUES ($1, $2) ON CONFLICT (name) DO UPDATE SET writer = $2', [election, id]);
      return 'accepted';
    },
  };
};
