/**
 * Keeps the node in the cluster: opens a session, hands it to the cluster-leader elector (one
 * for the node's life: its listeners survive sessions) and runs the features on it, and when the
 * session is lost, stops them, waits until the elector is done with it, and opens a new session
 * (a lost session is never revived).
 */
import type { Logger } from 'pino';
import type { Backend, Session, SessionState } from '../contract/contract.js';
import { anySignal, pause, raceSignal, whenAborted } from '../async.js';
import { childLogger } from '../child-logger.js';
import type { Clock } from '../clock.js';
import type { BatonConfig } from '../config/types.js';
import { anyHold, FATAL_SESSION_CODES, LeaderElector, LeaderTransferHold, MAX_SESSION_BACKOFF_PERIODS, PreferredLeader, SuppliedSessions, type CampaignHold } from '../election/index.js';
import { BatonError, ClosedError, isBatonError, StateError } from '../errors.js';
import { backoffDelay } from '../backoff.js';
import { deferred } from './deferred.js';
import type { NodeFeature } from '../feature/feature.js';
import { memberInfo } from './member-info.js';
import { sessionRetryNotice } from './session-retry-notice.js';
import type { NodeMetrics } from './node-metrics.js';

export interface SupervisorDeps {
  readonly config: BatonConfig;
  readonly backend: Backend;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly metrics: NodeMetrics;
  readonly features: readonly NodeFeature[];
  /** The named ports the node's surfaces bound (`http`: its HTTP API), advertised. */
  readonly ports: Readonly<Record<string, number>>;
  /** Holds the cluster-leader campaign back (the node's drain). */
  readonly hold?: CampaignHold;
}

export class SessionSupervisor {
  readonly #deps: SupervisorDeps;
  readonly #closing = new AbortController();
  readonly #sessions: SuppliedSessions;
  readonly #elector: LeaderElector;
  /** Follows the leader-transfer request: holds this node out of the leadership while another should take it. */
  readonly #transfers: LeaderTransferHold;
  #session: Session | null = null;
  #loop: Promise<void> | null = null;
  #firstAttempt = deferred<void>();
  #failed = deferred<Error>();
  /** Whether a session is open and the features have started on it. */
  #isReady = false;
  /** Resolves when #isReady next turns true; replaced when the session ends. */
  #ready = deferred<void>();

  constructor(deps: SupervisorDeps) {
    this.#deps = deps;
    const { config, backend, clock, logger, metrics } = deps;
    this.#sessions = new SuppliedSessions(memberInfo(config, deps.ports), config.election);
    // The cluster-leader elector; it logs its own state changes (term, reason); these
    // listeners only feed the metrics.
    const log = childLogger(logger, { nodeId: config.nodeId });
    this.#transfers = new LeaderTransferHold({ backend, nodeId: config.nodeId, clock, timing: config.election, logger: log });
    const preferred = new PreferredLeader({ backend, nodeId: config.nodeId, preferred: config.election.preferredLeader, clock, timing: config.election, transfers: this.#transfers, logger: log });
    this.#elector = new LeaderElector({ backend, sessions: this.#sessions, clock, logger: log, hold: deps.hold ? anyHold(this.#transfers, deps.hold) : this.#transfers });
    this.#elector.on('acquired', (held) => {
      metrics.leading(true);
      metrics.leaderTerm(held.token);
      void this.#transfers.acquired(held.token, held.fence);
      void preferred.follow(held);
    });
    this.#elector.on('released', () => metrics.leading(false));
    this.#elector.on('leader', (leader) => {
      metrics.leaderTerm(leader?.term ?? 0);
      if (leader !== null) this.#transfers.termSeen(leader.term);
    });
  }

  /** The live session, or null between sessions. */
  get session(): Session | null {
    return this.#session;
  }

  /** The cluster-leader elector, for the node's life (it campaigns on each session the node opens). */
  get elector(): LeaderElector {
    return this.#elector;
  }

  /**
   * Resolves once the node is in the cluster: a session is open and the features have started
   * on it (at once if so now). ClosedError when the node closes first, AbortedError on `signal`.
   */
  async whenReady(options: { signal?: AbortSignal } = {}): Promise<void> {
    const closing = this.#closing.signal;
    for (;;) {
      if (closing.aborted) throw new ClosedError('node');
      if (this.#isReady) return;
      const until = anySignal(options.signal, closing);
      try {
        await raceSignal(this.#ready.promise, until, 'whenReady');
      } catch (error) {
        if (closing.aborted) throw new ClosedError('node');
        throw error;
      } finally {
        until.dispose();
      }
    }
  }

  /** Resolves with the error that stopped the supervisor for good (never resolves otherwise). */
  get failed(): Promise<Error> {
    return this.#failed.promise;
  }

  /**
   * Starts the loop. Resolves after the first session attempt succeeded or failed transiently
   * (it is retried in the background); rejects when it failed for good.
   */
  async start(): Promise<void> {
    if (this.#loop !== null) throw new StateError('the session supervisor was already started');
    this.#transfers.start();
    this.#elector.start();
    this.#loop = this.#run().catch((error: unknown) => {
      const failure = error instanceof Error ? error : new Error(String(error));
      this.#deps.logger.fatal({ err: failure, reason: 'fatal' }, 'node stopped: %s', failure.message);
      this.#firstAttempt.reject(failure);
      this.#failed.resolve(failure);
    });
    await this.#firstAttempt.promise;
  }

  /** Stops the features, resigns and closes the session gracefully. Idempotent. */
  async close(): Promise<void> {
    this.#closing.abort(new BatonError('CLOSED', 'node is closing'));
    await this.#loop;
    await this.#elector.close().catch((error: unknown) => this.#deps.logger.error({ err: error, reason: 'elector close failed' }, 'elector close failed'));
    this.#transfers.stop();
  }

  async #run(): Promise<void> {
    const { config, backend, clock, logger, metrics, ports } = this.#deps;
    const signal = this.#closing.signal;
    const maxWait = config.election.retryPeriodMs * MAX_SESSION_BACKOFF_PERIODS;
    for (let attempt = 0; !signal.aborted; ) {
      let session: Session;
      try {
        // 1. Open the session; it registers this node as a member with its info.
        session = await backend.openSession({ nodeId: config.nodeId, info: memberInfo(config, ports), timing: config.election, onRenewal: metrics.renewal, signal });
      } catch (error) {
        if (signal.aborted) break;
        if (isBatonError(error) && FATAL_SESSION_CODES.has(error.code)) throw error;
        // 2. Transient (store unreachable, our old session not yet expired): back off and retry.
        const waitMs = backoffDelay(attempt++, config.election.retryPeriodMs, maxWait);
        const notice = sessionRetryNotice(error, config, memberInfo(config, ports), waitMs);
        logger.warn(notice.fields, notice.message);
        this.#firstAttempt.resolve();
        if (!(await pause(clock, waitMs, this.#closing.signal))) break;
        continue;
      }
      attempt = 0;
      // 3. Work on this session until it is lost or the node closes; start() resolves once the
      //    features have started (a feature that refuses the configuration fails it instead).
      await this.#live(session, () => this.#firstAttempt.resolve());
      // 4. A lost session: wait one retry period before the next, as a demoted leader must.
      if (!signal.aborted && !(await pause(clock, config.election.retryPeriodMs, this.#closing.signal))) break;
    }
    this.#firstAttempt.resolve();
  }

  async #live(session: Session, onStarted: () => void): Promise<void> {
    const { config, backend, logger, metrics, features } = this.#deps;
    const ended = new AbortController();
    const log = logger.child({ sessionId: session.id });
    const elector = this.#elector;
    this.#session = session;
    metrics.sessionState(session.state);
    log.info({ reason: 'opened' }, 'session opened');
    session.onStateChange((state: SessionState) => {
      metrics.sessionState(state);
      log.info({ reason: state }, 'session %s', state);
    }, { signal: ended.signal });
    // 1. The elector campaigns on this session; `electorDone` resolves once it is done with it
    //    (its term ended, its released listeners settled, resigned when closing).
    //    `letGo` withdraws the session if the elector never took it (closing, or refused below).
    const letGo = new AbortController();
    const electorDone = this.#sessions.supply(session, { signal: anySignal(this.#closing.signal, letGo.signal) });
    // 2. The features, in order. One that refuses this node's configuration (a shared setting
    //    that differs from the cluster's) stops the node: another session cannot fix that.
    const started: NodeFeature[] = [];
    let refused: BatonError | null = null;
    for (const feature of features) {
      try {
        await feature.start({ config, backend, session, elector, logger: log.child({ feature: feature.name }), metrics: metrics.registry });
        started.push(feature);
      } catch (error) {
        if (isBatonError(error, 'CONFIG')) {
          refused = error;
          break;
        }
        log.error({ err: error, feature: feature.name, reason: 'feature failed' }, 'feature %s failed to start', feature.name);
      }
    }
    // 3. Until the session is lost or the node closes.
    if (refused === null) {
      this.#isReady = true;
      this.#ready.resolve();
      onStarted();
      await whenAborted(session.lost, this.#closing.signal);
      this.#isReady = false;
      this.#ready = deferred<void>();
    }
    const reason = refused !== null ? 'refused' : this.#closing.signal.aborted ? 'closing' : 'session lost';
    if (reason === 'session lost') log.warn({ reason, cause: describe(session.lost.reason) }, 'session lost; stopping features and opening a new session');
    // 4. Stop in reverse order; then the elector ends its term (resigning when closing) and
    //    lets go of the session; then release the session (graceful when closing).
    for (const feature of started.reverse()) {
      await feature.stop().catch((error: unknown) => log.error({ err: error, feature: feature.name, reason: 'feature stop failed' }, 'feature %s failed to stop', feature.name));
    }
    if (this.#closing.signal.aborted || refused !== null) {
      await elector.close().catch((error: unknown) => log.error({ err: error, reason: 'elector close failed' }, 'elector close failed'));
      letGo.abort();
    }
    await electorDone;
    await session.close().catch((error: unknown) => log.warn({ err: error, reason: 'session close failed' }, 'session close failed'));
    ended.abort();
    metrics.sessionState(session.state);
    this.#session = null;
    log.info({ reason }, 'session ended');
    if (refused !== null) throw refused;
  }
}

function describe(reason: unknown): string {
  return reason instanceof Error ? reason.message : String(reason);
}
