/**
 * Cold start without churn: a new leader term places items only once the membership it sees has
 * settled. Without it the first node of a cluster started all at once leads, takes every item,
 * and gives most of them back half a second later as the others join, so a worker starts and
 * stops work at once.
 *
 * A term's first placement waits until, on the leader's monotonic clock:
 * 1. every node the stored layout names (except graceful leavers) is live: the cluster is back
 *    as it was (a leader change in a running cluster waits for nothing); or
 * 2. at least `expectedNodes` nodes are live (placement.expectedNodes: a deployment that knows
 *    how many replicas it runs need not wait for quiet; 0, the default, never opens here); or
 * 3. the live members have not changed for SETTLE_WINDOW_MS; a lone node therefore waits exactly
 *    that long, once; or
 * 4. SETTLE_LIMIT_MS have passed since the term began, however often members came and went.
 * After that every change is placed at once, for the rest of the term. Meanwhile nothing is
 * written: nothing moves, and a node's items stay where the store has them.
 */
import type { Clock } from '../clock.js';
import type { Member } from '../contract/contract.js';
import { InvalidArgumentError } from '../errors.js';
import type { StoredPlacement } from './place-items.js';

/**
 * How long the live members must stay unchanged before a term's first placement (monotonic ms).
 * 3 s: nodes started together (one deployment, a test, `baton demo`) open their sessions within
 * about a second of each other (measured: two nodes started in 0.9-1.2 s on 2 busy cores, with
 * `stress-ng --cpu 2` beside them), and every membership change reaches the leader within one
 * watch round trip or poll; 3 s keeps a margin for a slower start and is short beside the
 * default 15 s ttl. A lone node's first items come 3 s after it leads, once.
 */
export const SETTLE_WINDOW_MS = 3_000;

/** The longest a term's first placement waits while members keep coming and going (monotonic ms). */
export const SETTLE_LIMIT_MS = 5 * SETTLE_WINDOW_MS;

export interface SettleGateOptions {
  /**
   * How many live nodes make the membership settled at once (rule 2): the replicas the
   * deployment runs. 0 (the default): only the other rules open the gate. Counted among the
   * members placed on (draining nodes are not).
   */
  readonly expectedNodes?: number;
}

/** One term's gate: `waitMs` is 0 once the membership has settled (and from then on). */
export class SettleGate {
  readonly #clock: Clock;
  readonly #expectedNodes: number;
  #settled = false;
  #startedAt: number | undefined;
  #quietSince = 0;
  #seen = '';

  /** InvalidArgumentError when `expectedNodes` is not a whole number >= 0. */
  constructor(clock: Clock, options: SettleGateOptions = {}) {
    const expectedNodes = options.expectedNodes ?? 0;
    if (!Number.isSafeInteger(expectedNodes) || expectedNodes < 0) {
      throw new InvalidArgumentError(`expectedNodes must be a whole number >= 0 (0: off), got ${String(expectedNodes)}`);
    }
    this.#clock = clock;
    this.#expectedNodes = expectedNodes;
  }

  /** Opens the gate at once (a pass asked for explicitly, `tick()`). */
  open(): void {
    this.#settled = true;
  }

  /** How much longer the first placement should wait, given what this pass read; 0: place now. */
  waitMs(members: readonly Member[], stored: StoredPlacement): number {
    if (this.#settled) return 0;
    const now = this.#clock.now();
    const seen = members.map((m) => `${m.nodeId}/${m.sessionId}`).sort().join(',');
    if (this.#startedAt === undefined) [this.#startedAt, this.#quietSince, this.#seen] = [now, now, seen];
    else if (seen !== this.#seen) [this.#quietSince, this.#seen] = [now, seen];
    // 1.
    const live = new Set(members.map((m) => m.nodeId));
    const expected = [...stored.graceUsedMs.keys()].filter((id) => !stored.departed.has(id));
    if (expected.length > 0 && expected.every((id) => live.has(id))) return this.#open();
    // 2.
    if (this.#expectedNodes > 0 && live.size >= this.#expectedNodes) return this.#open();
    // 3. and 4.
    const wait = Math.min(this.#quietSince + SETTLE_WINDOW_MS, this.#startedAt + SETTLE_LIMIT_MS) - now;
    return wait > 0 ? wait : this.#open();
  }

  #open(): 0 {
    this.#settled = true;
    return 0;
  }
}
