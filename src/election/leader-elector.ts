/**
 * The leader elector: campaign, lead, step down, campaign again; the policy over the backend
 * contract's elections (storage is the backend's job).
 *
 * Safety (the model is docs/safety.md): a leader stops acting at `renewDeadlineMs` after its
 * last successful renewal began, before others may take over at `ttlMs` (rules 1 and 3; the
 * timing is validated when the elector is built). A paused process may still act late, so fence
 * every write only the leader may make with `leadership.fence` (rule 12).
 *
 * @example
 * const elector = new LeaderElector({
 *   backend, session, info: { host: '10.0.0.5', port: 8080 },
 *   onStartedLeading: (leadership) => runLeaderWork(leadership.signal, leadership.fence),
 * });
 * elector.start();
 * const leadership = await elector.whenLeader();
 */
import type { Logger } from 'pino';
import { systemClock, type Clock } from '../clock.js';
import type { CallOptions, LeaderRecord, Leadership, Session } from '../contract/contract.js';
import { validateElectionName } from '../contract/names.js';
import { validateTiming, type SessionTiming } from '../contract/timing.js';
import { AbortedError, ClosedError, SessionLostError, StateError } from '../errors.js';
import { CLUSTER_LEADER_ELECTION, type ElectorState, type LeaderElectorOptions } from './leader-elector-options.js';
import { LeaderObserver } from './leader-observer.js';
import { LeaderWaiters } from './leader-waiters.js';
import { pause, raceSignal, whenAborted } from '../async.js';
import { childLogger } from '../child-logger.js';

export class LeaderElector {
  readonly #options: LeaderElectorOptions;
  readonly #session: Session;
  readonly #election: string;
  readonly #timing: SessionTiming;
  readonly #clock: Clock;
  readonly #log: Logger | undefined;
  readonly #observer: LeaderObserver;
  /** Aborts on close(); the run also stops when the session is lost. */
  readonly #closing = new AbortController();
  readonly #waiters = new LeaderWaiters();
  #state: ElectorState = 'latent';
  #leadership: Leadership | null = null;
  /** Resolves once the current term's end has been handled (onStoppedLeading called). */
  #termEnded: Promise<void> = Promise.resolve();
  #markTermEnded: () => void = () => undefined;
  #run: Promise<void> | null = null;
  #stopped = false;

  /** Validates the options (no I/O): ConfigError naming the bad timing field, e.g. `election.renewDeadlineMs`. */
  constructor(options: LeaderElectorOptions) {
    this.#options = options;
    this.#session = options.session;
    this.#election = validateElectionName(options.election ?? CLUSTER_LEADER_ELECTION);
    this.#timing = validateTiming(options.session.timing, 'election');
    this.#clock = options.clock ?? systemClock;
    this.#log = options.logger && childLogger(options.logger, { nodeId: options.session.nodeId, election: this.#election });
    this.#observer = new LeaderObserver({
      backend: options.backend,
      election: this.#election,
      clock: this.#clock,
      retryPeriodMs: this.#timing.retryPeriodMs,
      ...(this.#log === undefined ? {} : { logger: this.#log }),
      onChange: (leader) => this.#leaderChanged(leader),
    });
  }

  /** `started` lasts until close(), also after the session was lost (then it neither leads nor campaigns). */
  get state(): ElectorState {
    return this.#state;
  }

  /** How many times the observed leader changed (for metrics). */
  get leadershipChanges(): number {
    return this.#observer.changes;
  }

  /** Starts observing and campaigning. StateError if started before, ClosedError after close. */
  start(): void {
    if (this.#state === 'closed') throw new ClosedError('leader elector');
    if (this.#state === 'started') throw new StateError(`leader elector for "${this.#election}" is already started`);
    this.#state = 'started';
    this.#log?.info({ reason: 'started' }, 'elector started');
    this.#observer.start();
    this.#run = this.#campaignLoop();
  }

  /** The last observed leader (null when nobody leads or before the first read). */
  leader(): LeaderRecord | null {
    return this.#observer.current;
  }

  /**
   * Whether this node leads now: judged when asked, on the monotonic clock (`held()`), so a
   * process resumed after a freeze answers false at once, before its deadline timer has run.
   * Hot path: one read of the clock, no allocation.
   */
  isLeader(): boolean {
    return this.leadership() !== null;
  }

  /** The current term while this node leads it (judged when asked, like isLeader), else null. */
  leadership(): Leadership | null {
    const leadership = this.#leadership;
    return leadership !== null && leadership.held() ? leadership : null;
  }

  /**
   * Resolves with the current term at once when leading, else when this node next wins.
   * Rejects with ClosedError on close, SessionLostError once the elector stopped with its
   * session, AbortedError when `signal` aborts.
   */
  whenLeader(options: { signal?: AbortSignal } = {}): Promise<Leadership> {
    const { signal } = options;
    if (this.#state === 'closed') return Promise.reject(new ClosedError('leader elector'));
    if (signal?.aborted) return Promise.reject(new AbortedError('whenLeader', signal.reason));
    const current = this.leadership();
    if (current !== null) return Promise.resolve(current);
    if (this.#stopped) return Promise.reject(this.#stopError());
    return this.#waiters.wait(signal);
  }

  /**
   * Steps down from the current term (if any) and campaigns again only after `retryPeriodMs`,
   * so another contender can win meanwhile. Resolves once the term is released and
   * `onStoppedLeading` has run; does nothing when not leading. ClosedError after close;
   * AbortedError when `signal` aborts first (a release already sent goes on).
   */
  async resign(options: CallOptions = {}): Promise<void> {
    if (this.#state === 'closed') throw new ClosedError('leader elector');
    const leadership = this.leadership();
    if (leadership === null) return;
    const ended = this.#termEnded;
    this.#log?.info({ term: leadership.term, reason: 'resign requested' }, 'resigning');
    await leadership.resign(options);
    await raceSignal(ended, options.signal, 'resign');
  }

  /**
   * Resigns at once (a successor need not wait for expiry), stops campaigning and observing,
   * and rejects pending `whenLeader` calls with ClosedError. Resolves when the elector has fully
   * stopped (callbacks included). Idempotent.
   */
  async close(): Promise<void> {
    if (this.#state !== 'closed') {
      const wasStarted = this.#state === 'started';
      this.#state = 'closed';
      this.#closing.abort(new ClosedError('leader elector'));
      this.#observer.stop();
      this.#waiters.rejectAll(new ClosedError('leader elector'));
      if (wasStarted) this.#log?.info({ reason: 'closed' }, 'elector closing');
    }
    await this.#run;
  }

  /**
   * The campaign loop, until close or session loss:
   * 1. campaign; a failure other than stopping is logged and retried after retryPeriodMs;
   * 2. lead: announce the term, wake whenLeader callers; a term already over when the campaign
   *    answers (a pause longer than renewDeadlineMs between the take and reading its answer)
   *    is never announced: no onStartedLeading and so no onStoppedLeading for it; retry after
   *    retryPeriodMs;
   * 3. wait until the term ends, or until stopping (then resign at once);
   * 4. announce the end, wait retryPeriodMs (so others can win after a resign), go to 1.
   * Finally, if the elector stopped while not leading, announce the stop once.
   */
  async #campaignLoop(): Promise<void> {
    const stop = AbortSignal.any([this.#closing.signal, this.#session.lost]);
    let endedAtStop = false;
    while (!stop.aborted) {
      let leadership: Leadership;
      try {
        leadership = await this.#session.campaign(this.#election, this.#options.info, { signal: stop });
      } catch (error) {
        if (stop.aborted) break;
        this.#log?.warn({ err: error, reason: 'campaign failed' }, 'campaign failed; retrying');
        if (!(await pause(this.#clock, this.#timing.retryPeriodMs, stop))) break;
        continue;
      }
      if (!this.#startTerm(leadership)) {
        if (!(await pause(this.#clock, this.#timing.retryPeriodMs, stop))) break;
        continue;
      }
      await whenAborted(leadership.signal, stop);
      if (!leadership.signal.aborted) await this.#resignForStop(leadership);
      this.#endTerm(leadership);
      if (stop.aborted) {
        endedAtStop = true;
        break;
      }
      if (!(await pause(this.#clock, this.#timing.retryPeriodMs, stop))) break;
    }
    this.#stopped = true;
    this.#waiters.rejectAll(this.#stopError());
    if (!endedAtStop) this.#call('onStoppedLeading', () => this.#options.onStoppedLeading?.());
    this.#log?.info({ reason: this.#closing.signal.aborted ? 'closed' : 'session lost' }, 'elector stopped');
  }

  /**
   * Announces a won term; false (nothing announced) when it is no longer held. The check is
   * made on the monotonic clock right before the call, with nothing in between, so
   * onStartedLeading never sees a term that has already ended (issue 10, case 3). Such a term
   * was never announced, so it gets no onStoppedLeading either (leader-elector-options.ts);
   * its lease is left to expire in the store (docs/safety.md rule 5).
   */
  #startTerm(leadership: Leadership): boolean {
    this.#observer.refresh();
    // The check, then only synchronous bookkeeping before the call: nothing here waits.
    if (!leadership.held()) {
      this.#log?.warn({ term: leadership.term, reason: describeReason(leadership.signal.reason) }, 'won a term that had already ended; not starting it');
      return false;
    }
    this.#leadership = leadership;
    this.#termEnded = new Promise((resolve) => (this.#markTermEnded = resolve));
    this.#log?.info({ term: leadership.term, reason: 'elected' }, 'started leading');
    this.#call('onStartedLeading', () => this.#options.onStartedLeading?.(leadership));
    if (!leadership.signal.aborted) this.#waiters.resolveAll(leadership);
    return true;
  }

  #endTerm(leadership: Leadership): void {
    this.#leadership = null;
    const reason: unknown = leadership.signal.reason;
    this.#log?.info({ term: leadership.term, reason: describeReason(reason) }, 'stopped leading');
    this.#observer.refresh();
    this.#call('onStoppedLeading', () => this.#options.onStoppedLeading?.());
    this.#markTermEnded();
  }

  async #resignForStop(leadership: Leadership): Promise<void> {
    try {
      await leadership.resign();
    } catch (error) {
      this.#log?.warn({ err: error, term: leadership.term, reason: 'resign failed' }, 'resign on stop failed; the lease will expire');
    }
  }

  #leaderChanged(leader: LeaderRecord | null): void {
    this.#log?.info({ leader: leader?.nodeId ?? null, term: leader?.term ?? null, reason: 'leader changed' }, 'observed leader changed');
    this.#call('onNewLeader', () => this.#options.onNewLeader?.(leader));
  }

  #stopError(): Error {
    if (this.#state === 'closed') return new ClosedError('leader elector');
    return new SessionLostError(`leader elector for "${this.#election}" stopped: session ${this.#session.id} is lost`, { cause: this.#session.lost.reason });
  }

  /** Runs a user callback; a throw is logged (or warned) and never breaks the elector. */
  #call(name: string, callback: () => void): void {
    try {
      callback();
    } catch (error) {
      if (this.#log !== undefined) this.#log.error({ err: error, reason: `${name} threw` }, '%s threw', name);
      else process.emitWarning(error instanceof Error ? error : new Error(String(error)), 'BatonCallbackError');
    }
  }
}

function describeReason(reason: unknown): string {
  if (reason !== null && typeof reason === 'object' && 'reason' in reason && typeof reason.reason === 'string') return reason.reason;
  return reason instanceof Error ? reason.message : 'term ended';
}
