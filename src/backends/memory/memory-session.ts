import { setMaxListeners } from 'node:events';
import { pause } from '../../async.js';
import type { Clock } from '../../clock.js';
import type { CallOptions, Leadership, Session, SessionOptions, SessionState, WatchOptions } from '../../contract/contract.js';
import { isJsonObject, type JsonObject } from '../../contract/json.js';
import type { SessionTiming } from '../../contract/timing.js';
import { validateElectionName } from '../../contract/names.js';
import { AbortedError, ClosedError, InvalidArgumentError, SessionLostError, StateError, StoreUnavailableError } from '../../errors.js';
import type { MemoryCluster, StoredSession } from './memory-cluster.js';
import { MemoryLeadership } from './memory-leadership.js';
import { waitForHint } from './wait-for-hint.js';
import { judgedController } from '../../judged-signal.js';

/**
 * The client side of a session in a MemoryStore. It renews itself and every lease it holds every
 * `retryPeriodMs` on the injected clock, and applies the local deadline rule: no successful
 * renewal for `renewDeadlineMs` since the START of the last successful one means lost (for the
 * session) or term over (for a lease). The store expires the same records only `ttlMs` after
 * the renewal reached it, so the holder always stops first (timing.ts, docs/safety.md rule 3).
 */
export class MemorySession implements Session {
  readonly id: string;
  readonly nodeId: string;
  readonly timing: SessionTiming;
  readonly #cluster: MemoryCluster;
  readonly #clock: Clock;
  readonly #stored: StoredSession;
  readonly #onRenewal: ((latencyMs: number, ok: boolean) => void) | undefined;
  /** Judges the deadline whenever `aborted` is read, also on a signal kept from earlier (judged-signal.ts). */
  readonly #lost = judgedController(() => this.#checkDeadline(this.#clock.now()));
  readonly #stateListeners = new Set<(state: SessionState) => void>();
  readonly #leaderships = new Map<string, MemoryLeadership>();
  readonly #campaigns = new Set<string>();
  #state: SessionState = 'live';
  /** Monotonic ms: start of the last successful session renewal. */
  #lastRenewStart: number;

  constructor(cluster: MemoryCluster, clock: Clock, stored: StoredSession, options: SessionOptions, timing: SessionTiming) {
    this.id = stored.id;
    this.nodeId = stored.nodeId;
    this.timing = timing;
    this.#cluster = cluster;
    this.#clock = clock;
    this.#stored = stored;
    this.#onRenewal = options.onRenewal;
    this.#lastRenewStart = clock.now();
    // Every campaign, wait and leadership of the session listens to `lost`: no listener limit
    // (Infinity, not 0: on Node 20 `getMaxListeners` throws for an AbortSignal set to 0).
    setMaxListeners(Infinity, this.#lost.signal);
  }

  /** Checks the local deadline when read (contract): aborted at once once it has passed. */
  get lost(): AbortSignal {
    this.#checkDeadline(this.#clock.now());
    return this.#lost.signal;
  }

  /** Checks the local deadline when read, like `lost`: never 'live' or 'suspended' past it. */
  get state(): SessionState {
    this.#checkDeadline(this.#clock.now());
    return this.#state;
  }

  /** Starts renewing and listening for the store ending the session. Called once by the backend. */
  start(): void {
    const onEnded = () => this.#lose(new SessionLostError(`session ${this.id} of node "${this.nodeId}" was ended by the store`));
    if (this.#stored.ended.signal.aborted) onEnded();
    else this.#stored.ended.signal.addEventListener('abort', onEnded, { once: true, signal: this.#lost.signal });
    void this.#renewLoop();
  }

  onStateChange(listener: (state: SessionState) => void, options: WatchOptions): void {
    if (options.signal.aborted) return;
    this.#stateListeners.add(listener);
    options.signal.addEventListener('abort', () => this.#stateListeners.delete(listener), { once: true });
  }

  async updateInfo(info: JsonObject, options?: CallOptions): Promise<void> {
    this.#checkUsable('updateInfo', options);
    if (!isJsonObject(info)) throw new InvalidArgumentError('member info must be a JSON object');
    if (!this.#cluster.reachable(this.id)) throw new StoreUnavailableError(`memory store unreachable for session ${this.id}`);
    if (!this.#cluster.updateInfo(this.id, structuredClone(info))) throw new SessionLostError(`session ${this.id} no longer exists in the store`);
  }

  /**
   * Campaign loop: 1. subscribe to changes of the election (and to this session being healed)
   * BEFORE trying, so no release is missed; 2. try to take the free election; 3. else wait for
   * the hint, racing the caller's signal and the session's `lost`.
   */
  async campaign(election: string, info: JsonObject, options?: CallOptions): Promise<Leadership> {
    validateElectionName(election);
    if (!isJsonObject(info)) throw new InvalidArgumentError('leader info must be a JSON object');
    this.#checkUsable('campaign', options);
    const held = this.#leaderships.get(election);
    if (held?.held() === true) return held;
    if (this.#campaigns.has(election)) throw new StateError(`session ${this.id} is already campaigning for "${election}"`);
    const infoText = JSON.stringify(info);
    this.#campaigns.add(election);
    try {
      for (;;) {
        this.#checkUsable('campaign', options);
        const hint = waitForHint(this.#cluster.changes, [`leader:${election}`, `heal:${this.id}`], this.#lost.signal, options?.signal);
        const lease = this.#cluster.tryAcquire(this.id, election, infoText);
        if (lease !== undefined) {
          hint.cancel();
          return this.#hold(election, lease.term);
        }
        await hint.promise;
      }
    } finally {
      this.#campaigns.delete(election);
    }
  }

  /**
   * Graceful close: 1. resign every term; 2. end the session in the store; 3. abort `lost`.
   * A session already lost (its deadline passed, or the store ended it) is left to expire in
   * the store: its terms may still be held there, and that margin is what lets their stop
   * callbacks finish (docs/safety.md rule 5).
   */
  async close(): Promise<void> {
    if (this.#state === 'closed') return;
    this.#checkDeadline(this.#clock.now());
    if (this.#state !== 'lost') {
      for (const leadership of [...this.#leaderships.values()]) leadership.end('closed', true);
      if (this.#cluster.reachable(this.id)) this.#cluster.endSession(this.id);
    }
    this.#finish('closed', new ClosedError(`session ${this.id}`));
  }

  #hold(election: string, term: number): MemoryLeadership {
    const leadership = new MemoryLeadership({ election, term, sessionId: this.id }, this.#clock.now(), {
      clock: this.#clock,
      renewDeadlineMs: this.timing.renewDeadlineMs,
      checkSession: (now) => this.#checkDeadline(now),
      sessionDeadline: () => this.#lastRenewStart + this.timing.renewDeadlineMs,
      release: () => {
        if (this.#cluster.reachable(this.id)) this.#cluster.release(this.id, election, term);
      },
      onEnd: (ended) => {
        if (this.#leaderships.get(election) === ended) this.#leaderships.delete(election);
      },
    });
    this.#leaderships.set(election, leadership);
    return leadership;
  }

  /**
   * The local deadline rule, judged at `now` on the monotonic clock: past the start of the last
   * successful renewal + renewDeadlineMs the session is lost (synchronously), whether or not the
   * renewal loop's timer has run yet (a process resumed after a freeze).
   */
  #checkDeadline(now: number): void {
    if (this.#state === 'lost' || this.#state === 'closed') return;
    if (now >= this.#lastRenewStart + this.timing.renewDeadlineMs) {
      this.#lose(new SessionLostError(`session ${this.id} was not renewed within ${this.timing.renewDeadlineMs} ms (renewDeadlineMs)`));
    }
  }

  /**
   * Renewal loop on the injected clock: 1. sleep until the next renewal or the nearest local
   * deadline; 2. a passed session deadline means lost; a passed lease deadline ends that term;
   * 3. when due, renew the session and then each lease, each attempt timed from its start.
   */
  async #renewLoop(): Promise<void> {
    const { retryPeriodMs, renewDeadlineMs } = this.timing;
    let nextRenewal = this.#lastRenewStart + retryPeriodMs;
    while (!this.#lost.signal.aborted) {
      let wakeAt = Math.min(nextRenewal, this.#lastRenewStart + renewDeadlineMs);
      for (const l of this.#leaderships.values()) wakeAt = Math.min(wakeAt, l.lastRenewStart + renewDeadlineMs);
      // Sleeps until `wakeAt` on the injected clock; ends when the session ended meanwhile.
      if (!(await pause(this.#clock, Math.max(0, wakeAt - this.#clock.now()), this.#lost.signal))) return;
      const now = this.#clock.now();
      this.#checkDeadline(now);
      if (this.#lost.signal.aborted) return;
      for (const l of [...this.#leaderships.values()]) {
        if (now >= l.lastRenewStart + renewDeadlineMs) l.end('renew-deadline', false);
      }
      if (now >= nextRenewal) {
        this.#renewAll(now);
        nextRenewal = now + retryPeriodMs;
      }
    }
  }

  #renewAll(start: number): void {
    const result = this.#cluster.renewSession(this.id);
    this.#onRenewal?.(this.#clock.now() - start, result === 'ok');
    if (result === 'gone') {
      this.#lose(new SessionLostError(`session ${this.id} no longer exists in the store`));
      return;
    }
    if (result === 'ok') this.#lastRenewStart = start;
    this.#setState(result === 'ok' ? 'live' : 'suspended');
    for (const leadership of [...this.#leaderships.values()]) {
      // A term that ended meanwhile (a listener of another term's end read it late) is left to expire.
      if (leadership.ended) continue;
      const leaseResult = this.#cluster.renewLease(this.id, leadership.election, leadership.term);
      this.#onRenewal?.(this.#clock.now() - start, leaseResult === 'ok');
      if (leaseResult === 'ok') leadership.lastRenewStart = start;
      else if (leaseResult === 'gone') leadership.end('taken-over', false);
    }
  }

  #lose(reason: SessionLostError): void {
    if (this.#state === 'lost' || this.#state === 'closed') return;
    for (const leadership of [...this.#leaderships.values()]) leadership.end('session-lost', false);
    this.#finish('lost', reason);
  }

  #finish(state: 'lost' | 'closed', reason: Error): void {
    this.#setState(state);
    this.#lost.abort(reason);
  }

  #setState(state: SessionState): void {
    if (this.#state === state) return;
    this.#state = state;
    for (const listener of [...this.#stateListeners]) {
      try {
        listener(state);
      } catch (error) {
        process.emitWarning(error instanceof Error ? error : new Error(String(error)), 'BatonListenerError');
      }
    }
  }

  #checkUsable(what: string, options?: CallOptions): void {
    if (this.#state === 'closed') throw new ClosedError(`session ${this.id}`);
    this.#checkDeadline(this.#clock.now());
    if (this.#lost.signal.aborted) throw this.#lost.signal.reason as Error;
    if (options?.signal?.aborted) throw new AbortedError(what, options.signal.reason);
  }
}
