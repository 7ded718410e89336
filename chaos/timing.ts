/**
 * The timing of every chaos node and the bounds the checker holds them to. Real clocks, so the
 * values are short (a killed node's leases expire within seconds) with room for a loaded
 * 2-core machine.
 */
import type { SessionTiming } from '../src/index.js';
import type { Bounds } from './history.js';

/**
 * Session timing of every node: ttl 4 s so a crash is noticed within seconds; renewDeadline 2.5 s
 * leaves a margin of 1.5 s (rate bound 37.5 %), above ZooKeeper's syncLimit * tickTime of the
 * ensemble fixture would not matter (the backend proves the quorum), and above the retry period as
 * the ZooKeeper backend requires.
 */
export const TIMING: SessionTiming = { ttlMs: 4_000, renewDeadlineMs: 2_500, retryPeriodMs: 500, pollIntervalMs: 100 };

/** Buckets of the workload: few enough to settle in seconds, enough to spread over 5 nodes. */
export const BUCKETS = { count: 16, offlineGraceMs: 1_500, assignIntervalMs: 2_000 };
/** The partitioned resource: a standby per partition, so a master's crash is covered at once. */
export const PARTITIONS = { partitions: 8, replicas: 2, rebalanceDelayMs: 1_500, placementIntervalMs: 2_000 };

/**
 * What a loaded machine may add to any chain: each of the (at most two) processes that act in it
 * may be descheduled for up to renewDeadline without losing its session; a longer stall loses
 * the session, and that is a fault of its own.
 */
const STALL_ALLOWANCE_MS = 2 * TIMING.renewDeadlineMs;

/**
 * Crash of a role's holder: its lease was renewed at or before the moment it stopped acting, so it
 * expires by then + ttl on the store; a campaigner polls it within one retry period.
 */
const CRASH_MS = TIMING.ttlMs + TIMING.retryPeriodMs;

/**
 * An item whose holder and standby are both gone (or a bucket, which has no standby) waits for the
 * placement: the leader notices the member gone (+ poll), waits out the grace (+ grace), writes the
 * target; the new owner's watch polls it (+ poll) and campaigns (+ retry period).
 */
const REPLACED_MS = (graceMs: number) => CRASH_MS + TIMING.pollIntervalMs + graceMs + TIMING.pollIntervalMs + TIMING.retryPeriodMs;

export const BOUNDS: Bounds = {
  leader: CRASH_MS + STALL_ALLOWANCE_MS,
  bucket: REPLACED_MS(BUCKETS.offlineGraceMs) + STALL_ALLOWANCE_MS,
  partition: REPLACED_MS(PARTITIONS.rebalanceDelayMs) + STALL_ALLOWANCE_MS,
  // A graceful release frees the lease at once: the successor hears of it within a poll and a
  // retry period (the placement of a moved item first needs the leader's pass: one more poll).
  graceful: TIMING.retryPeriodMs + 2 * TIMING.pollIntervalMs + STALL_ALLOWANCE_MS,
};
