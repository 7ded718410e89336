import type { Leadership, LeaderRecord } from '../contract/contract.js';

/**
 * What a feature may ask of its session's cluster-leader elector (src/election/ implements it).
 * Features depend on this, not on the elector class, so the runtime decides how leadership is
 * won and features only wait for it and read it.
 */
export interface ClusterElector {
  /** The last observed cluster leader (null when nobody leads or before the first read). */
  leader(): LeaderRecord | null;
  /** Whether this node leads now, judged when asked on the monotonic clock. */
  isLeader(): boolean;
  /** The current term while this node leads it, else null. */
  leadership(): Leadership | null;
  /**
   * Resolves with the current term at once when leading, else when this node next wins (the
   * node's elector outlives sessions: pass the feature's own signal, which aborts when its
   * session ends). Rejects with ClosedError on close, AbortedError when `signal` aborts.
   */
  whenLeader(options?: { signal?: AbortSignal }): Promise<Leadership>;
}
