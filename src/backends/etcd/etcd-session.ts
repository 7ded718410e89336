import { setMaxListeners } from 'node:events';
import type { CallOptions, Fence, Leadership, Session, SessionState, WatchOptions } from '../../contract/contract.js';
import { isJsonObject, type JsonObject } from '../../contract/json.js';
import { validateElectionName } from '../../contract/names.js';
import type { SessionTiming } from '../../contract/timing.js';
import { pause } from '../../async.js';
import type { Clock } from '../../clock.js';
import { ClosedError, InvalidArgumentError, SessionLostError, StateError, type LeadershipEndReason } from '../../errors.js';
import type { EtcdClient } from './etcd-client.js';
import { CandidateBatcher } from './candidate-batcher.js';
import { campaign } from './etcd-campaign.js';
import { toContractError } from './etcd-error.js';
import { bytes, type EtcdLayout } from './etcd-layout.js';
import type { EtcdLeadership } from './etcd-leadership.js';
import { METHODS } from './etcd-proto.js';
import type { KeyDeletions } from './key-deletions.js';
import { LeaseKeepAlive } from './lease-keepalive.js';
import { judgedController } from '../../judged-signal.js';

export interface EtcdSessionParams {
  readonly client: EtcdClient;
  readonly deletions: KeyDeletions;
  readonly layout: EtcdLayout;
  readonly clock: Clock;
  readonly nodeId: string;
  readonly timing: SessionTiming;
  /** The lease, as etcd's decimal id (requests) and as hex (the session id, key names). */
  readonly leaseId: string;
  readonly id: string;
  /** Monotonic time the LeaseGrant was sent: the lease expires no earlier than this + ttl. */
  readonly grantedAt: number;
  readonly sawRevision: (header: unknown) => void;
  readonly onRenewal?: ((latencyMs: number, ok: boolean) => void) | undefined;
  readonly onFinal: () => void;
}

/**
 * A baton session = one etcd lease, kept alive every `retryPeriodMs` (lease-keepalive.ts). The
 * member key and every candidate key are attached to it, so they live exactly as long as it.
 *
 * Liveness (docs/safety.md rules 1 and 3): etcd's leader expires the lease `ttl` after it last renewed it,
 * and a renewal answers a keep-alive only after it happened (see LeaseKeepAlive for why a reply
 * proves it). We declare the session lost LOCALLY at `lastAck + renewDeadlineMs` on our
 * monotonic clock, `lastAck` being the SEND time of the last answered keep-alive (or of the
 * grant): the leader's renewal came after that, so its expiry is later than `lastAck + ttl`
 * while clock rates differ by less than (ttl - renewDeadline) / ttl. The lease TTL is whole
 * seconds: the backend grants `ceil(ttlMs / 1000)` and refuses less.
 *
 * A broken keep-alive stream, or one unanswered for half the local deadline, ends every term at
 * once ('connection-lost'): nothing proves the lease any more. The session itself lives on
 * ('suspended') and is 'live' again at the next answered keep-alive.
 *
 * After a loss nothing is released early (docs/safety.md rule 5): keep-alives stop and the lease
 * expires on its own, no earlier than `lastAck + ttl`.
 */
export class EtcdSession implements Session {
  readonly id: string;
  readonly nodeId: string;
  readonly timing: SessionTiming;
  readonly #p: EtcdSessionParams;
  /** Judges deadline and connection whenever `aborted` is read, also on a signal kept from earlier (judged-signal.ts). */
  readonly #lost = judgedController(() => this.#alive());
  readonly #listeners = new Set<(state: SessionState) => void>();
  readonly #leaderships = new Map<string, EtcdLeadership>();
  readonly #campaigns = new Set<string>();
  /** Per election: deletions of candidates that ended campaigns or terms left behind, still running. */
  readonly #cleanups = new Map<string, Promise<void>>();
  /** The first creates of campaigns started together, in one transaction (candidate-batcher.ts). */
  readonly #candidates: CandidateBatcher;
  #lastAck: number;
  #state: SessionState = 'live';
  #connected = true;
  #closing: Promise<void> | undefined;

  constructor(params: EtcdSessionParams) {
    this.#p = params;
    this.id = params.id;
    this.nodeId = params.nodeId;
    this.timing = params.timing;
    this.#lastAck = params.grantedAt;
    // Every campaign, wait and term of the session listens to `lost`: no listener limit.
    setMaxListeners(Infinity, this.#lost.signal);
    this.#candidates = new CandidateBatcher(params.client, params.leaseId, this.#lost.signal);
  }

  get lost(): AbortSignal {
    this.#alive();
    return this.#lost.signal;
  }
  get state(): SessionState {
    this.#alive();
    return this.#state;
  }

  /** Starts the keep-alives and the local deadline. Called once by the backend. */
  start(): void {
    const keepAlive = new LeaseKeepAlive({
      client: this.#p.client,
      clock: this.#p.clock,
      leaseId: this.#p.leaseId,
      timing: this.timing,
      stop: this.#lost.signal,
      events: {
        onAck: (sentAt, latencyMs) => this.#onAck(sentAt, latencyMs),
        onBroken: (why, latencyMs) => this.#onBroken(why, latencyMs),
        onExpired: () => this.#lose('session-lost', 'etcd says its lease expired or was revoked'),
      },
    });
    void keepAlive.run();
    void this.#deadlineLoop();
  }

  onStateChange(listener: (state: SessionState) => void, options: WatchOptions): void {
    if (options.signal.aborted) return;
    this.#listeners.add(listener);
    options.signal.addEventListener('abort', () => this.#listeners.delete(listener), { once: true });
  }

  async updateInfo(info: JsonObject, options: CallOptions = {}): Promise<void> {
    this.#checkUsable();
    if (!isJsonObject(info)) throw new InvalidArgumentError('member info must be a JSON object');
    try {
      const response = await this.#p.client.unary(METHODS.put, { key: bytes(this.#p.layout.member(this.nodeId)), value: memberValue(info), lease: this.#p.leaseId }, options);
      this.#p.sawRevision(response['header']);
    } catch (error) {
      throw toContractError(error);
    }
  }

  async campaign(election: string, info: JsonObject, options: CallOptions = {}): Promise<Leadership> {
    validateElectionName(election);
    if (!isJsonObject(info)) throw new InvalidArgumentError('leader info must be a JSON object');
    this.#checkUsable();
    if (this.#campaigns.has(election) || this.#leaderships.has(election)) {
      throw new StateError(`session ${this.id} already campaigns for or leads "${election}"; resign first`);
    }
    this.#campaigns.add(election);
    try {
      const { client, deletions, layout, clock, leaseId } = this.#p;
      const leadership = await campaign(
        {
          client,
          candidates: this.#candidates,
          deletions,
          clock,
          election,
          electionPrefix: layout.election(election),
          key: layout.candidate(election, this.id),
          withdrawalKey: layout.withdrawal(election, this.id),
          leaseId,
          sessionId: this.id,
          nodeId: this.nodeId,
          info,
          lost: this.#lost.signal,
          // The predecessor's watch resumes from its revision across broken streams, so the
          // re-check only covers a member that silently stops serving it: once a renew period.
          recheckMs: this.timing.retryPeriodMs,
          previous: this.#cleanups.get(election),
          cleanup: (work) => this.#trackCleanup(election, work),
          alive: () => this.#alive(),
          releaseAt: () => this.#lastAck + this.timing.ttlMs,
          onEnd: (ended) => {
            if (this.#leaderships.get(ended.election) === ended) this.#leaderships.delete(ended.election);
          },
        },
        options,
      );
      this.#leaderships.set(election, leadership);
      if (this.#lost.signal.aborted) leadership.end('session-lost');
      else if (!this.#connected) leadership.end('connection-lost');
      return leadership;
    } finally {
      this.#campaigns.delete(election);
    }
  }

  /** The candidate key behind `fence` when this session holds that term right now, else null. */
  resolveFence(fence: Fence): string | null {
    const held = this.#leaderships.get(fence.election);
    if (fence.sessionId !== this.id || !held || held.term !== fence.term || !held.held()) return null;
    return held.key;
  }

  /** 1. End every term (stop acting); 2. revoke the lease, which deletes our keys at once. */
  close(options: CallOptions = {}): Promise<void> {
    this.#closing ??= this.#close(options);
    return this.#closing;
  }

  async #close(options: CallOptions): Promise<void> {
    this.#endLeaderships('closed');
    const wasLost = this.#state === 'lost';
    this.#state = 'closed';
    this.#lost.abort(new ClosedError(`session ${this.id} of node "${this.nodeId}"`));
    this.#emit('closed');
    this.#listeners.clear();
    this.#p.onFinal();
    // Lost: keep-alives have stopped and the lease expires on its own, never early (docs/safety.md rule 5).
    if (wasLost) return;
    await this.#p.client.unary(METHODS.leaseRevoke, { ID: this.#p.leaseId }, { signal: options.signal, idempotent: true }).catch(() => undefined); // unreachable: the lease expires on its own
  }

  #onAck(sentAt: number, latencyMs: number): void {
    this.#p.onRenewal?.(latencyMs, true);
    if (this.#state !== 'live' && this.#state !== 'suspended') return;
    if (sentAt > this.#lastAck) this.#lastAck = sentAt;
    this.#connected = true;
    this.#setState('live');
  }

  /** See the class comment: no proof of the lease now, so every term ends at once. */
  #onBroken(why: string, latencyMs: number): void {
    if (latencyMs > 0) this.#p.onRenewal?.(latencyMs, false);
    if (this.#state !== 'live' && this.#state !== 'suspended') return;
    this.#connected = false;
    this.#endLeaderships('connection-lost', new SessionLostError(`session ${this.id}: ${why}`));
    this.#setState('suspended');
  }

  /** The local deadline checked now (docs/safety.md rule 4): past it, the session is lost synchronously. */
  #alive(): boolean {
    if (this.#state !== 'live' && this.#state !== 'suspended') return false;
    if (this.#p.clock.now() >= this.#lastAck + this.timing.renewDeadlineMs) {
      this.#loseByDeadline();
      return false;
    }
    return this.#state === 'live';
  }

  #loseByDeadline(): void {
    const silentMs = Math.round(this.#p.clock.now() - this.#lastAck);
    this.#lose('renew-deadline', `no keep-alive of lease ${this.id} was answered for ${silentMs} ms (renewDeadlineMs ${this.timing.renewDeadlineMs})`);
  }

  async #deadlineLoop(): Promise<void> {
    const signal = this.#lost.signal;
    while (!signal.aborted) {
      const due = this.#lastAck + this.timing.renewDeadlineMs;
      const now = this.#p.clock.now();
      if (now >= due) return this.#loseByDeadline();
      await pause(this.#p.clock, due - now, signal); // lost or closed: the loop ends
    }
  }

  #lose(reason: LeadershipEndReason, why: string): void {
    if (this.#state === 'lost' || this.#state === 'closed') return;
    this.#state = 'lost';
    const error = new SessionLostError(`session ${this.id} of node "${this.nodeId}" is lost: ${why}`);
    this.#endLeaderships(reason, error);
    this.#lost.abort(error); // also stops the keep-alives: the lease expires on its own
    this.#emit('lost');
    this.#p.onFinal();
  }

  /** Chains `work` after the election's earlier clean-ups; forgets the chain once it is done. */
  #trackCleanup(election: string, work: Promise<void>): void {
    const chained = Promise.all([this.#cleanups.get(election), work]).then(() => undefined);
    this.#cleanups.set(election, chained);
    void chained.finally(() => {
      if (this.#cleanups.get(election) === chained) this.#cleanups.delete(election);
    });
  }

  #endLeaderships(reason: LeadershipEndReason, cause?: unknown): void {
    for (const leadership of [...this.#leaderships.values()]) leadership.end(reason, cause);
    this.#leaderships.clear();
  }

  #setState(state: SessionState): void {
    if (this.#state === state) return;
    this.#state = state;
    this.#emit(state);
  }

  #emit(state: SessionState): void {
    for (const listener of [...this.#listeners]) listener(state);
  }

  #checkUsable(): void {
    if (this.#state === 'closed') throw new ClosedError(`session ${this.id}`);
    if (this.#state === 'lost' || this.#lost.signal.aborted) throw new SessionLostError(`session ${this.id} of node "${this.nodeId}" is lost; open a new session`);
  }
}

/** The member key's value: `{"info": {...}}`. */
export function memberValue(info: JsonObject): Buffer {
  return bytes(JSON.stringify({ info }));
}
