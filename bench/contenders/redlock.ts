/**
 * A Redis lock used as a leader lease through `redlock` v4 on one ioredis client, as its README
 * shows: `redlock.lock(resource, ttl)` with `retryCount: -1` (retry until acquired, every
 * retryDelay ± retryJitter, the library's defaults 200 ± 200 ms), then `lock.extend(ttl)` every
 * sixth of the TTL while leading (baton's renew period at the same TTL), `lock.unlock()` to step
 * down. isLeader is the library's own validity: the lock object exists and `lock.expiration`
 * (attempt start + ttl - drift, on Date.now()) has not passed. No default TTL exists (the
 * caller must give one): 3 s when the row gives none. The write is a plain SET: Redis has
 * nothing to fence it with.
 */
import { Redis } from 'ioredis';
import Redlock from 'redlock';
import type { OpenContender } from './contender.js';

const TTL_WITHOUT_ROW_MS = 3_000;

export const open: OpenContender = async ({ address, id, election, ttlMs }) => {
  const ttl = ttlMs ?? TTL_WITHOUT_ROW_MS;
  const [host, port] = address.split(':');
  const redis = new Redis(Number(port), host ?? '127.0.0.1', { lazyConnect: true });
  redis.on('error', () => undefined); // reported through redlock's clientError, as the README shows
  await redis.connect();
  // ioredis 5 takes redlock v4's (array, callback) calls; only its type declarations differ.
  const redlock = new Redlock([redis as unknown as Redlock.CompatibleRedisClient], { retryCount: -1 });
  redlock.on('clientError', () => undefined);
  const resource = `bench:${election}`;
  let lock: Redlock.Lock | undefined;
  let extending: NodeJS.Timeout | undefined;

  function keepExtending(held: Redlock.Lock): void {
    extending = setTimeout(() => {
      held.extend(ttl).then(
        () => lock === held && keepExtending(held),
        () => {
          if (lock === held) lock = undefined; // expired or taken: no longer leading
        },
      );
    }, ttl / 6);
  }

  return {
    async campaign() {
      const held = await redlock.lock(resource, ttl);
      lock = held;
      keepExtending(held);
    },
    isLeader: () => lock !== undefined && lock.expiration > Date.now(),
    async resign() {
      clearTimeout(extending);
      const held = lock;
      lock = undefined;
      await held?.unlock();
    },
    async leaderWrite() {
      await redis.set(`${resource}:write`, id);
      return 'accepted';
    },
  };
};
