/**
 * How a node follows the leader-transfer request (src/operations/leader-transfer-request.ts):
 * a campaign hold (campaign-hold.ts) that holds the node out of the cluster leadership while a
 * request says another node should lead next. Holding back only ever gives up (a campaign, a
 * term), so a request can direct who wins the next term but never make two leaders; the store's
 * election still decides every term (docs/safety.md, "Leader transfer").
 *
 * The rules, judged on this node when asked (held()):
 * 1. A request is pending while no term above its `fromTerm` has been seen (as observed, or as
 *    marked `ended` by the new leader) and for at most `holdOffMs` after this node first read it.
 *    Past that bound the request is ignored, so a target that does not take the leadership
 *    leaves the cluster to a normal election, never without a leader for long.
 * 2. To a named target that is a live member: every other node is held. The old leader (`from`)
 *    is held, so steps down, only once every other live member has stood by (withdrawn its
 *    campaign, acknowledged in the request), or `standByWaitMs` after it read the request: so on
 *    ZooKeeper no other candidate queued ahead of the target is left to win the released term,
 *    and on SQL nobody but the target races for the released lease.
 * 3. To any node (no target): only the old leader is held, and only while another member is live.
 * 4. A target that is not a live member holds nobody: the request changes nothing.
 */
import type { Logger } from 'pino';
import type { Clock } from '../clock.js';
import type { Backend, Fence, Member } from '../contract/contract.js';
import type { SessionTiming } from '../contract/timing.js';
import { endLeaderTransfer, readLeaderTransfer, sameRequest, standBy, type LeaderTransferRequest } from '../operations/leader-transfer-request.js';
import { OPERATIONS_PREFIX } from '../operations/operations-layout.js';
import { SerialReader } from '../owned-items/serial-reader.js';
import { silentLogger } from '../owned-items/silent-logger.js';
import { pause } from '../async.js';
import type { CampaignHold } from './campaign-hold.js';

/**
 * How long a request holds the other contenders, in retry periods, from when each read it. The
 * move takes: the old leader's wait for the others to stand by (at most one retry period, at once
 * when they all did), its term's end (its released listeners, then one store round trip), and the
 * target's take (at once on a watched store, within one poll interval on a polled one). Three
 * periods leave room for that on a loaded machine; past them the cluster falls back to a normal
 * election, a wait still shorter than a crash failover (ttlMs - retryPeriodMs / 2 on average).
 */
export const TRANSFER_HOLD_PERIODS = 3;

/**
 * How long the old leader waits for the other contenders to stand by, in retry periods: they
 * read the request within one poll interval on a polled store (at once on a watched one), so one
 * period is plenty; past it the leader steps down anyway (a contender that had not stood by may
 * then win a term of its own and step down at once: one more handoff, never two leaders).
 */
export const STAND_BY_WAIT_PERIODS = 1;

export interface LeaderTransferHoldOptions {
  readonly backend: Backend;
  readonly nodeId: string;
  readonly clock: Clock;
  readonly timing: SessionTiming;
  readonly logger?: Logger | undefined;
}

/** The request as this node read it, with the members live then and when it first saw it. */
interface Judged {
  readonly request: LeaderTransferRequest;
  readonly members: readonly Member[];
  /** This node's monotonic clock when it first read this request. */
  readonly seenAt: number;
}

export class LeaderTransferHold implements CampaignHold {
  readonly #o: LeaderTransferHoldOptions;
  readonly #listeners = new Set<() => void>();
  readonly #stop = new AbortController();
  /** Ends the timers of the request judged last (a new request replaces them; stop() ends them). */
  #wakes = new AbortController();
  #judged: Judged | null = null;
  /** The highest cluster-leader term this node has seen (observed, or its own). */
  #seenTerm = 0;
  /** Reads the request (and the members) once per change, one read at a time. */
  readonly #reader: SerialReader;
  /** The request this node last stood by for (so it acknowledges each once). */
  #stoodBy: LeaderTransferRequest | null = null;

  constructor(options: LeaderTransferHoldOptions) {
    this.#o = options;
    this.#reader = new SerialReader({
      clock: options.clock,
      retryMs: options.timing.retryPeriodMs,
      log: options.logger ?? silentLogger,
      what: 'leader-transfer request',
      read: async (signal) => {
        const stored = await readLeaderTransfer(options.backend.kv, { signal });
        const members = stored === null || stored.request.ended !== null ? [] : await options.backend.members({ signal });
        this.#apply(stored?.request ?? null, members);
      },
    });
  }

  get holdOffMs(): number {
    return TRANSFER_HOLD_PERIODS * this.#o.timing.retryPeriodMs;
  }

  get standByWaitMs(): number {
    return STAND_BY_WAIT_PERIODS * this.#o.timing.retryPeriodMs;
  }

  /** Watches the operations folder and reads the request once. Until stop(). */
  start(): void {
    try {
      this.#o.backend.kv.watch(OPERATIONS_PREFIX, () => void this.#reader.refresh(this.#stop.signal), { signal: this.#stop.signal });
    } catch (error) {
      this.#o.logger?.error({ err: error, reason: 'watch failed' }, 'cannot watch the leader-transfer request');
    }
    void this.#reader.start(this.#stop.signal);
  }

  stop(): void {
    this.#stop.abort();
    this.#wakes.abort();
  }

  /** The pending request as judged now (rule 1), or null. */
  pending(): LeaderTransferRequest | null {
    const judged = this.#judged;
    if (judged === null) return null;
    const { request } = judged;
    if (request.ended !== null || this.#seenTerm > request.fromTerm) return null;
    if (this.#o.clock.now() - judged.seenAt >= this.holdOffMs) return null;
    return request;
  }

  /** Rules 2-4 on the pending request. */
  held(): boolean {
    const request = this.pending();
    if (request === null) return false;
    const { members, seenAt } = this.#judged!;
    const self = this.#o.nodeId;
    const live = (nodeId: string) => members.some((m) => m.nodeId === nodeId);
    if (request.to === null) return self === request.from && members.some((m) => m.nodeId !== self);
    if (request.to === self || !live(request.to)) return false;
    if (self !== request.from) return true;
    const waited = this.#o.clock.now() - seenAt >= this.standByWaitMs;
    return waited || members.every((m) => m.nodeId === self || m.nodeId === request.to || request.standingBy.includes(m.nodeId));
  }

  /** Whether the pending request asks this node to lead next (it campaigns without the usual wait). */
  asked(): boolean {
    const request = this.pending();
    return request !== null && request.to === this.#o.nodeId;
  }

  onChange(listener: () => void, options: { signal: AbortSignal }): void {
    if (options.signal.aborted) return;
    this.#listeners.add(listener);
    options.signal.addEventListener('abort', () => this.#listeners.delete(listener), { once: true });
  }

  /** A cluster-leader term seen (the elector's `leader` event); a term above a request's ends it here. */
  termSeen(term: number): void {
    if (term <= this.#seenTerm) return;
    this.#seenTerm = term;
    this.#notify();
  }

  /**
   * This node won `term`: a pending request it ends is marked ended (fenced by the term), so
   * every node, and a reader, sees it over at once. The stored request is judged, not the one
   * this node read last: a node that nothing held (no target, or a target gone) may win before
   * its read of the request, and the request must still be marked.
   */
  async acquired(term: number, fence: Fence): Promise<void> {
    this.termSeen(term);
    try {
      if (await endLeaderTransfer(this.#o.backend.kv, { nodeId: this.#o.nodeId, term }, fence, { signal: this.#stop.signal })) {
        this.#o.logger?.info({ term, reason: 'leader transfer ended' }, 'leader transfer ended by term %d', term);
      }
    } catch (error) {
      if (!this.#stop.signal.aborted) this.#o.logger?.warn({ err: error, term, reason: 'transfer end not marked' }, 'could not mark the leader transfer ended (nodes judge it over by the term)');
    }
  }

  /** The elector waits held back with no campaign or term under way: rule 2's acknowledgement may go. */
  idle(): void {
    this.#standByIfHeld();
  }

  #notify(): void {
    for (const listener of [...this.#listeners]) listener();
  }

  #apply(request: LeaderTransferRequest | null, members: readonly Member[]): void {
    const previous = this.#judged;
    if (request === null) {
      this.#judged = null;
    } else {
      const seenAt = previous !== null && sameRequest(previous.request, request) ? previous.seenAt : this.#o.clock.now();
      this.#judged = { request, members, seenAt };
      if (seenAt !== previous?.seenAt && this.pending() !== null) {
        this.#o.logger?.info({ to: request.to, from: request.from, fromTerm: request.fromTerm, by: request.by, reason: 'leader transfer requested' }, 'leader transfer requested: %s -> %s', request.from, request.to ?? 'any node');
        this.#wakes.abort();
        this.#wakes = new AbortController();
        this.#wakeAt(seenAt + this.standByWaitMs);
        this.#wakeAt(seenAt + this.holdOffMs);
      }
    }
    this.#notify();
  }

  /** Judges again at `at` (the bounds of rules 1 and 2 pass by the clock, not by a change). */
  #wakeAt(at: number): void {
    void pause(this.#o.clock, Math.max(0, at - this.#o.clock.now()), this.#wakes.signal).then((ran) => ran && this.#notify());
  }

  /**
   * Rule 2's acknowledgement: once held by a request and idle (the elector's withdrawn campaign
   * has fully ended, idle() above), a node other than the old leader adds itself to the
   * standing-by list. Not earlier, when the hold's listeners have only asked the campaign to
   * stop: on PostgreSQL a release hands the lease to the longest-waiting waiter, and a
   * withdrawn campaign whose waiter-row delete were still in flight could be handed the term
   * the old leader releases on this acknowledgement, and give it up at once: a term nobody acts
   * on between the old leader's and the target's. Awaiting the campaign's end (its row deleted,
   * sql-campaign.ts) is simpler than a release that hands only to the target, which would need
   * the transfer's target in the backend's resign. On ZooKeeper the candidate's delete is sent
   * when its campaign ends, on the session's one connection, so the server applies it first.
   */
  #standByIfHeld(): void {
    const request = this.pending();
    if (request === null || request.to === null || request.from === this.#o.nodeId || !this.held()) return;
    if (this.#stoodBy !== null && sameRequest(this.#stoodBy, request)) return;
    if (request.standingBy.includes(this.#o.nodeId)) return;
    this.#stoodBy = request;
    standBy(this.#o.backend.kv, request, this.#o.nodeId, { signal: this.#stop.signal }).catch((error: unknown) => {
      if (this.#stop.signal.aborted) return;
      this.#stoodBy = null;
      this.#o.logger?.warn({ err: error, reason: 'stand-by not written' }, 'could not acknowledge the leader transfer (the old leader steps down after its wait anyway)');
    });
  }
}
