import { ConfigError } from '../errors.js';

/**
 * The timing of a session and of every lease it holds. One set of knobs, with the same meaning
 * on every backend.
 *
 * Safety (docs/safety.md rules 1 and 3): a holder stops acting at `renewDeadlineMs` after the
 * START of its last successful renewal, measured on its own monotonic clock; others may take
 * over only `ttlMs` after that renewal, measured on the store's clock (SQL `now()`, the
 * ZooKeeper leader's session timeout). Because the renewal started before the store recorded
 * it, the holder's deadline always falls first as long as the two clocks' RATES differ by less
 * than `(ttlMs - renewDeadlineMs) / ttlMs` (1/3 with the defaults). No clock is compared across
 * machines.
 */
export interface SessionTiming {
  /**
   * How long after the holder's last successful renewal others may take over, on the store's
   * clock: the SQL lease TTL, the ZooKeeper session timeout. Default 15000 ms.
   */
  readonly ttlMs: number;
  /**
   * The holder's local deadline, on its monotonic clock: no successful renewal within this many
   * ms since the start of the last successful one means "lost" (stop acting). Default 10000 ms.
   */
  readonly renewDeadlineMs: number;
  /**
   * How often a holder renews, and how long a demoted or resigned node waits before it
   * campaigns again. Default 2000 ms.
   */
  readonly retryPeriodMs: number;
  /**
   * How often poll-based backends (SQLite, MySQL) read the store for changes and how often a
   * waiting campaigner re-tries there; PostgreSQL watches are woken by notifications and use it
   * only as a safety net, and a waiting PostgreSQL campaign polls at it only while its LISTEN
   * connection is down (else it re-checks at the holder's expiry, at most every retryPeriodMs).
   * A waiting ZooKeeper campaign does not use it: it sleeps on its predecessor's watch and
   * re-checks once per ttlMs. Default 500 ms.
   */
  readonly pollIntervalMs: number;
}

/**
 * Why the renew period is ttl/7.5 and not ttl/3 (what etcd3 and ZooKeeper clients use): a
 * crashed holder's lease expires ttlMs after its last renewal, which came on average half a
 * period before the crash, so crash failover averages ttlMs - retryPeriodMs / 2 (14 s here; 13.5
 * s at ttl/3). Within the bounds below the period does not touch safety: the holder stops at
 * renewDeadlineMs after the START of its last successful renewal whatever the period, and the
 * clock-rate margin is (ttlMs - renewDeadlineMs) / ttlMs. What it sets is how many renewals may fail before the
 * deadline ends a healthy holder's term: renewals at 2, 4, 6 and 8 s leave three retries inside
 * the 10 s deadline; every 5 s would leave none (the one at 10 s comes too late), so a single
 * lost round trip would cost the leadership. Three more retries are worth the 1.5 s. Users who
 * prefer the faster failover may set retryPeriodMs up to renewDeadlineMs / 1.2, and on ZooKeeper
 * below ttlMs - renewDeadlineMs - tickTime / 2 (its probe's margin, zookeeper-backend.ts).
 *
 * This is the whole of baton's crash-failover gap to the ZooKeeper recipe and etcd3 at equal
 * TTL, measured on the wire (docs/benchmarks.md, issue 18 third follow-up): a ZooKeeper server
 * expires a session one session timeout (rounded up to its next tick) after the last packet of
 * any kind it got from it, an etcd leader a lease one TTL after its last keep-alive (looked at
 * every 500 ms), and a waiter leads one round trip later. baton is heard every retryPeriodMs
 * (on ZooKeeper its probe also keeps node-zookeeper-client's own ping, sent after sessionTimeout
 * / 3 of silence, from going out); the recipe and etcd3 every ttl / 3. So their crashed holder
 * was last heard further back: at ttl 3 s, 0.25 s against 0.5 s on average. Closing it would
 * take renewing less often (fewer retries, above) or a server-side timeout below ttlMs, which
 * would let a successor start less than ttlMs after the holder's last renewal and eat the
 * margin its stop callbacks have (docs/safety.md rule 5): neither is worth 0.25 s.
 */
export const DEFAULT_TIMING: SessionTiming = Object.freeze({
  ttlMs: 15_000,
  renewDeadlineMs: 10_000,
  retryPeriodMs: 2_000,
  pollIntervalMs: 500,
});

/**
 * Ratio client-go also requires between the renew deadline and the retry period: at least one
 * retry (with 20% jitter room) must fit before the deadline.
 */
export const RETRY_JITTER_FACTOR = 1.2;

/**
 * Fills defaults and checks `ttlMs > renewDeadlineMs > 1.2 * retryPeriodMs`, `pollIntervalMs > 0`.
 * Throws ConfigError naming the offending field (prefixed, e.g. `election.renewDeadlineMs`).
 */
export function validateTiming(input: Partial<SessionTiming> = {}, prefix = 'election'): SessionTiming {
  const timing = { ...DEFAULT_TIMING, ...definedOnly(input) };
  for (const field of ['ttlMs', 'renewDeadlineMs', 'retryPeriodMs', 'pollIntervalMs'] as const) {
    const value = timing[field];
    if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0 || !Number.isInteger(value)) {
      throw new ConfigError(`${prefix}.${field}`, `must be a positive whole number of milliseconds, got ${String(value)}`);
    }
  }
  if (!(timing.ttlMs > timing.renewDeadlineMs)) {
    throw new ConfigError(
      `${prefix}.renewDeadlineMs`,
      `must be less than ${prefix}.ttlMs (${timing.ttlMs}), got ${timing.renewDeadlineMs}: a holder must stop acting before others may take over`,
    );
  }
  if (!(timing.renewDeadlineMs > RETRY_JITTER_FACTOR * timing.retryPeriodMs)) {
    throw new ConfigError(
      `${prefix}.retryPeriodMs`,
      `must be less than ${prefix}.renewDeadlineMs / ${RETRY_JITTER_FACTOR} (${Math.floor(timing.renewDeadlineMs / RETRY_JITTER_FACTOR)}), got ${timing.retryPeriodMs}: at least one renewal retry must fit before the deadline`,
    );
  }
  return Object.freeze(timing);
}

function definedOnly<T extends object>(input: T): Partial<T> {
  return Object.fromEntries(Object.entries(input).filter(([, v]) => v !== undefined)) as Partial<T>;
}
