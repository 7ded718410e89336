/**
 * The leader elector: campaign, lead, step down, campaign again, and when its session is lost,
 * open a new session and campaign on it; the policy over the backend contract's elections
 * (storage is the backend's job).
 *
 * Safety (the model is docs/safety.md): a leader stops acting at `renewDeadlineMs` after its
 * last successful renewal began, before others may take over at `ttlMs` (rules 1 and 3; the
 * timing is validated when the elector is built). A paused process may still act late, so fence
 * every write only the leader may make with the term's `fence` (rule 12).
 * A term ends before anything new starts: its signal aborts, its `released` listeners settle,
 * only then is the lease given up (resign, close) or a new campaign made; after a lost session
 * the next campaign runs on a new session, never on the lost one.
 *
 * @example
 * const elector = new LeaderElector({ backend, nodeId: 'worker-1', info: { host: '10.0.0.5', port: 8080 } });
 * elector.on('acquired', ({ token, fence, signal }) => runLeaderWork({ token, fence, signal }));
 * elector.on('released', (reason) => console.log(`not leading (${reason})`));
 * elector.start();
 * const leadership = await elector.whenLeader();
 */
import type { Logger } from 'pino';
import { systemClock, type Clock } from '../clock.js';
import type { CallOptions, LeaderRecord, Leadership, Session } from '../contract/contract.js';
import { validateElectionName } from '../contract/names.js';
import { validateTiming, type SessionTiming } from '../contract/timing.js';
import { AbortedError, ClosedError, StateError } from '../errors.js';
import type { AcquiredListener, Held, ReleasedListener, ReleaseReason } from '../holding/index.js';
import { ElectorListeners, type ElectorEvent, type LeaderListener } from './elector-listeners.js';
import { CLUSTER_LEADER_ELECTION, type ElectorState, type LeaderElectorOptions } from './leader-elector-options.js';
import { askedToLead, heldBack, untilFree, type CampaignHold } from './campaign-hold.js';
import { LeaderObserver } from './leader-observer.js';
import { LeaderWaiters } from './leader-waiters.js';
import { anySignal, pause, raceSignal, whenAborted } from '../async.js';
import { childLogger } from '../child-logger.js';
import { OwnSessions, type SessionSource } from './session-source.js';
import { describeCause, startTerm, type Term } from './term.js';

export class LeaderElector {
  readonly #sessions: SessionSource;
  readonly #election: string;
  readonly #timing: SessionTiming;
  readonly #clock: Clock;
  readonly #log: Logger | undefined;
  readonly #observer: LeaderObserver;
  readonly #listeners: ElectorListeners;
  readonly #hold: CampaignHold | undefined;
  /** Aborts on close(); each session's campaign also stops when that session is lost. */
  readonly #closing = new AbortController();
  readonly #waiters = new LeaderWaiters();
  #state: ElectorState = 'latent';
  #session: Session | null = null;
  #term: Term | null = null;
  #run: Promise<void> | null = null;
  /** The error that stopped the elector for good (no session can be opened), or null. */
  #failure: Error | null = null;

  /** Validates the options (no I/O): ConfigError naming the bad timing field, e.g. `election.renewDeadlineMs`. */
  constructor(options: LeaderElectorOptions) {
    this.#election = validateElectionName(options.election ?? CLUSTER_LEADER_ELECTION);
    this.#clock = options.clock ?? systemClock;
    const nodeId = options.sessions === undefined ? options.nodeId : undefined;
    this.#log = options.logger && childLogger(options.logger, { ...(nodeId === undefined ? {} : { nodeId }), election: this.#election });
    this.#timing = validateTiming(options.sessions?.timing ?? options.timing, 'election');
    this.#sessions =
      options.sessions ?? new OwnSessions({ backend: options.backend, nodeId: options.nodeId, info: options.info, timing: this.#timing, clock: this.#clock, logger: this.#log });
    this.#listeners = new ElectorListeners(this.#log);
    this.#hold = options.hold;
    this.#observer = new LeaderObserver({
      backend: options.backend,
      election: this.#election,
      clock: this.#clock,
      retryPeriodMs: this.#timing.retryPeriodMs,
      ...(this.#log === undefined ? {} : { logger: this.#log }),
      onChange: (leader) => this.#leaderChanged(leader),
    });
  }

  /** `started` lasts until close(), across lost sessions (the elector opens or awaits the next). */
  get state(): ElectorState {
    return this.#state;
  }

  /** The session the elector campaigns on now, or null between sessions. */
  get session(): Session | null {
    return this.#session;
  }

  /** How many times the observed leader changed (for metrics). */
  get leadershipChanges(): number {
    return this.#observer.changes;
  }

  /**
   * Adds a listener, for every term of every session until close (register before `start()` to
   * miss nothing); returns a function that removes it. InvalidArgumentError for an unknown event.
   * - `acquired` (held): this node leads a term; `held.signal` aborts when the term ends, so stop
   *   the leader's work then; pass `held.fence` to the writes only the leader may make. Called
   *   once per term, only with a term still held right before the call; not awaited.
   * - `released` (reason): the term of the last `acquired` ended (`moved`: resign; `lost`:
   *   deadline, session lost, taken over; `closed`: close). Once per `acquired`; awaited: the
   *   lease is given up and the next campaign starts only after it settles.
   * - `leader` (record or null): the observed leader changed (by node id and term).
   */
  on(event: 'acquired', listener: AcquiredListener): () => void;
  on(event: 'released', listener: ReleasedListener): () => void;
  on(event: 'leader', listener: LeaderListener): () => void;
  on(event: ElectorEvent, listener: AcquiredListener | ReleasedListener | LeaderListener): () => void {
    return this.#listeners.on(event, listener);
  }

  /** Starts observing and campaigning. StateError if started before, ClosedError after close. */
  start(): void {
    if (this.#state === 'closed') throw new ClosedError('leader elector');
    if (this.#state === 'started') throw new StateError(`leader elector for "${this.#election}" is already started`);
    this.#state = 'started';
    this.#log?.info({ reason: 'started' }, 'elector started');
    this.#observer.start();
    this.#run = this.#runSessions();
  }

  /** The last observed leader (null when nobody leads or before the first read). */
  leader(): LeaderRecord | null {
    return this.#observer.current;
  }

  /**
   * Whether this node leads now: judged when asked, on the monotonic clock, so a process resumed
   * after a freeze answers false at once, before its deadline timer has run. Hot path: one read
   * of the clock, no allocation.
   */
  isLeader(): boolean {
    const term = this.#term;
    return term !== null && !term.held.signal.aborted;
  }

  /** The current term while this node leads it (judged when asked, like isLeader), else null. */
  leadership(): Leadership | null {
    return this.isLeader() ? this.#term!.leadership : null;
  }

  /** The current term as the shared held type (what `acquired` listeners got), else null. */
  held(): Held | null {
    return this.isLeader() ? this.#term!.held : null;
  }

  /**
   * Resolves with the current term at once when leading, else when this node next wins (on this
   * session or a later one). Rejects with ClosedError on close, AbortedError when `signal`
   * aborts, and with the error that stopped the elector when it can open no session (a bad
   * config).
   */
  whenLeader(options: { signal?: AbortSignal } = {}): Promise<Leadership> {
    const { signal } = options;
    if (this.#state === 'closed') return Promise.reject(new ClosedError('leader elector'));
    if (signal?.aborted) return Promise.reject(new AbortedError('whenLeader', signal.reason));
    const current = this.leadership();
    if (current !== null) return Promise.resolve(current);
    if (this.#failure !== null) return Promise.reject(this.#failure);
    return this.#waiters.wait(signal);
  }

  /**
   * Steps down from the current term (if any): its signal aborts, the `released` listeners
   * settle (reason `moved`), then the lease is given up; the elector campaigns again only after
   * `retryPeriodMs`, so another contender can win meanwhile. Resolves once all that is done;
   * does nothing when not leading. ClosedError after close; AbortedError when `signal` aborts
   * first (the step down, once asked, goes on).
   */
  async resign(options: CallOptions = {}): Promise<void> {
    if (this.#state === 'closed') throw new ClosedError('leader elector');
    if (options.signal?.aborted) throw new AbortedError('resign', options.signal.reason);
    const term = this.#term;
    if (term === null || !this.isLeader()) return;
    this.#log?.info({ term: term.leadership.term, reason: 'resign requested' }, 'resigning');
    term.stepDown.abort();
    await raceSignal(term.ended, options.signal, 'resign');
  }

  /**
   * Ends the current term (signal, then `released` with `closed`, then resign at once so a
   * successor need not wait for expiry), stops campaigning and observing, closes the elector's
   * own session, and rejects pending `whenLeader` calls with ClosedError. Resolves when the
   * elector has fully stopped (listeners included). Idempotent.
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
   * One session after another, until close:
   * 1. take the next session from the source (a new one; the source waits a retry period after
   *    a lost one); an error retrying cannot fix stops the elector and rejects its waiters;
   * 2. campaign on it until it is lost or the elector closes;
   * 3. hand it back (the elector's own session is closed), then go to 1.
   */
  async #runSessions(): Promise<void> {
    const closing = this.#closing.signal;
    while (!closing.aborted) {
      let session: Session;
      try {
        session = await this.#sessions.next({ signal: closing });
      } catch (error) {
        if (closing.aborted) break;
        this.#failure = error instanceof Error ? error : new Error(String(error));
        this.#log?.error({ err: error, reason: 'no session' }, 'elector stopped: cannot open a session');
        this.#waiters.rejectAll(this.#failure);
        break;
      }
      this.#session = session;
      this.#log?.info({ sessionId: session.id, reason: 'session' }, 'campaigning on session %s', session.id);
      await this.#campaignOn(session);
      this.#session = null;
      if (!closing.aborted) this.#log?.warn({ sessionId: session.id, reason: 'session lost', cause: describeCause(session.lost.reason) }, 'session lost; campaigning on a new session');
      await this.#sessions.done(session, closing.aborted);
    }
    this.#log?.info({ reason: this.#failure === null ? 'closed' : 'failed' }, 'elector stopped');
  }

  /**
   * The campaign loop of one session, until close or the session's loss:
   * 1. wait while the hold (options.hold) holds the campaign back;
   * 2. campaign; a failure other than stopping is logged and retried after retryPeriodMs; a
   *    campaign the hold stops goes back to 1;
   * 3. lead: announce the term, wake whenLeader callers; a term already over when the campaign
   *    answers (a pause longer than renewDeadlineMs between the take and reading its answer) is
   *    never announced (no `acquired`, so no `released`); retry after retryPeriodMs;
   * 4. wait until the term ends, a resign is asked, the hold holds the campaign back, or the
   *    elector stops;
   * 5. end the term (term.ts: signal, released listeners, then resign unless lost), wait
   *    retryPeriodMs (so others can win after a resign; cut short when the hold asks this node
   *    to lead next), go to 1.
   */
  async #campaignOn(session: Session): Promise<void> {
    const stop = anySignal(this.#closing.signal, session.lost);
    try {
      while (!stop.aborted) {
        const round = new AbortController();
        try {
          if (!(await this.#oneTerm(session, stop, round.signal))) break;
        } finally {
          round.abort(); // also lets go of every signal combined with it
        }
      }
    } finally {
      stop.dispose();
    }
  }

  /** Steps 1-5 once; false when the loop should stop. `round` ends with this call. */
  async #oneTerm(session: Session, stop: AbortSignal, round: AbortSignal): Promise<boolean> {
    // 1.
    if (this.#hold?.held() === true) this.#log?.info({ reason: 'held back' }, 'not campaigning while held back (a drain or a leader transfer)');
    if (!(await untilFree(this.#hold, stop))) return false;
    const held = heldBack(this.#hold, anySignal(stop, round));
    // 2.
    let leadership: Leadership;
    try {
      leadership = await session.campaign(this.#election, this.#sessions.info, { signal: anySignal(stop, held, round) });
    } catch (error) {
      if (stop.aborted) return false;
      if (held.aborted) return true;
      this.#log?.warn({ err: error, reason: 'campaign failed' }, 'campaign failed; retrying');
      return pause(this.#clock, this.#timing.retryPeriodMs, stop);
    }
    // 3.
    this.#observer.refresh();
    const term = startTerm(leadership, this.#log);
    if (term === null) return pause(this.#clock, this.#timing.retryPeriodMs, stop);
    this.#term = term;
    this.#listeners.acquired(term.held);
    if (!term.held.signal.aborted) this.#waiters.resolveAll(leadership);
    // 4.
    await whenAborted(term.held.signal, term.stepDown.signal, stop, held);
    if (held.aborted && !term.stepDown.signal.aborted) this.#log?.info({ term: leadership.term, reason: 'held back' }, 'stepping down: held back (a drain or a leader transfer)');
    // 5.
    await term.end(this.#reasonFor(term, session), this.#listeners, this.#log);
    this.#term = null;
    this.#observer.refresh();
    if (stop.aborted) return false;
    // Others may win meanwhile; a node the hold asks to lead next (a transfer to it) goes at once.
    const asked = askedToLead(this.#hold, anySignal(stop, round));
    return (await pause(this.#clock, this.#timing.retryPeriodMs, anySignal(stop, asked, round))) || !stop.aborted;
  }

  /** Why the term ends, read before it is ended: close, a resign asked while held, or lost. */
  #reasonFor(term: Term, session: Session): ReleaseReason {
    if (session.lost.aborted || !term.leadership.held()) return 'lost';
    if (this.#closing.signal.aborted) return 'closed';
    return 'moved';
  }

  #leaderChanged(leader: LeaderRecord | null): void {
    this.#log?.info({ leader: leader?.nodeId ?? null, term: leader?.term ?? null, reason: 'leader changed' }, 'observed leader changed');
    this.#listeners.leader(leader);
  }
}
