import { setMaxListeners } from 'node:events';
import type { CallOptions, Fence, Leadership, Session, SessionState, WatchOptions } from '../../contract/contract.js';
import { isJsonObject, type JsonObject } from '../../contract/json.js';
import { validateElectionName } from '../../contract/names.js';
import type { SessionTiming } from '../../contract/timing.js';
import { pause } from '../../async.js';
import type { Clock } from '../../clock.js';
import { ClosedError, InvalidArgumentError, SessionLostError, StateError, type LeadershipEndReason } from '../../errors.js';
import { campaign } from './zk-campaign.js';
import type { ZkClient, ZkClientState } from '../../zk-client/zk-client.js';
import type { FenceNode } from './zk-kv.js';
import type { ZkLayout } from './zk-layout.js';
import type { TermHost, ZkLeadership } from './zk-leadership.js';
import { isZkError, toContractError } from '../../zk-client/zookeeper-error.js';
import { judgedController } from '../../judged-signal.js';

/**
 * A baton session = one ZooKeeper session (its own client). The member znode and every
 * candidate znode are its ephemerals, so they live exactly as long as it does.
 *
 * Liveness (docs/safety.md rules 1 and 3): the ENSEMBLE LEADER expires the session `ttlMs` (the session
 * timeout; the backend refuses a granted one below it) after it last learned that a server heard
 * from us. We declare it lost LOCALLY at `lastHeardAt + renewDeadlineMs` on our monotonic clock,
 * where `lastHeardAt` is the SEND time of the last `sync` probe (every `retryPeriodMs`) or write
 * that succeeded: only the leader can make those succeed, and it had the session then (see
 * zk-session-proof.ts). A read answered by a follower proves nothing: a follower cut
 * from its quorum goes on answering for up to `syncLimit * tickTime` (issue 10 case 1).
 *
 * The margin `ttlMs - renewDeadlineMs` must cover, besides the clock-rate difference
 * (`ttlMs * rate`, docs/safety.md rule 1): the leader learns a follower's session touches only at its
 * pings (every tickTime / 2), and if the quorum link dies right after our last successful probe
 * went through, that probe's touch never reaches the leader, whose last news of us is then the
 * probe before (one `retryPeriodMs` earlier). So: ttlMs - renewDeadlineMs > retryPeriodMs +
 * tickTime / 2 + one round trip (defaults: 5000 > 2000 + 1000 with ZooKeeper's tickTime 2000).
 * `syncLimit * tickTime` no longer enters the safety condition (a sync through a cut follower is
 * never answered); it bounds availability: a dropped or silent connection ends every term at
 * once ('connection-lost'), and the session lives on only if it reaches a quorum server within
 * `renewDeadlineMs`.
 *
 * After a loss nothing is released early (docs/safety.md rule 5): the ZooKeeper session is closed no
 * earlier than `lastHeardAt + ttlMs` (when the server would expire it anyway), so the old
 * holder's stop callbacks have at least `ttlMs - renewDeadlineMs` before a successor can start.
 */
export class ZkSession implements Session {
  readonly id: string;
  readonly nodeId: string;
  readonly timing: SessionTiming;
  readonly #client: ZkClient;
  readonly #layout: ZkLayout;
  readonly #clock: Clock;
  /** Judges deadline and connection whenever `aborted` is read, also on a signal kept from earlier (judged-signal.ts). */
  readonly #lost = judgedController(() => this.#alive());
  readonly #listeners = new Set<(state: SessionState) => void>();
  readonly #leaderships = new Map<string, ZkLeadership>();
  readonly #campaigns = new Set<string>();
  /** Per election: the clean-up of candidates that ended campaigns may have left behind, still running. */
  readonly #cleanups = new Map<string, Promise<void>>();
  readonly #onFinal: () => void;
  /** What every term of this session needs from it: one object for all (see CampaignContext.host). */
  readonly #termHost: TermHost;
  #state: SessionState = 'live';
  #closing: Promise<void> | undefined;
  /** After a loss: the close of the ZooKeeper session, deferred to `lastHeardAt + ttlMs` (see #lose). */
  #releasing: Promise<void> | undefined;

  constructor(params: { client: ZkClient; layout: ZkLayout; clock: Clock; nodeId: string; timing: SessionTiming; onFinal: () => void }) {
    this.#client = params.client;
    this.id = params.client.sessionId;
    this.nodeId = params.nodeId;
    this.timing = params.timing;
    this.#layout = params.layout;
    this.#clock = params.clock;
    this.#onFinal = params.onFinal;
    this.#termHost = {
      client: this.#client,
      clock: this.#clock,
      lost: this.#lost.signal,
      retryMs: this.timing.pollIntervalMs,
      alive: () => this.#alive(),
      releaseAt: () => this.#client.lastHeardAt + this.timing.ttlMs,
      cleanup: (election, work) => this.#trackCleanup(election, work),
      onEnd: (l) => {
        if (this.#leaderships.get(l.election) === l) this.#leaderships.delete(l.election);
      },
    };
    // Every campaign, wait and leadership of the session listens to `lost`: no listener limit
    // (Infinity, not 0: on Node 20 `getMaxListeners` throws for an AbortSignal set to 0).
    setMaxListeners(Infinity, this.#lost.signal);
  }

  /** Current when read: the local deadline is checked first (see #alive). */
  get lost(): AbortSignal {
    this.#alive();
    return this.#lost.signal;
  }
  /** Current when read: the local deadline and the connection are checked first (see #alive). */
  get state(): SessionState {
    this.#alive();
    return this.#state;
  }

  /**
   * Settles once the ZooKeeper session is closed after a loss: at `lastHeardAt + ttlMs` on the
   * clock, or at its expiry if heard first (see #closeAt). At once when the session was not lost.
   * Never rejects.
   */
  get released(): Promise<void> {
    return this.#releasing ?? Promise.resolve();
  }

  /** Starts following the client's state and the local deadline. Called once by the backend. */
  start(): void {
    const signal = this.#lost.signal;
    this.#client.onStateChange((state) => this.#onClientState(state), { signal });
    this.#client.ended.addEventListener('abort', () => this.#lose('session-lost', 'the ZooKeeper session ended'), { once: true, signal });
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
    const path = this.#layout.member(this.nodeId);
    try {
      await this.#client.setData(path, memberData(info), options);
    } catch (error) {
      if (!isZkError(error, 'NO_NODE')) throw toContractError(error);
      // Someone deleted our member znode: publish it again (it is ours for as long as the session).
      await this.#client.create(path, memberData(info), { mode: 'ephemeral', ...options }).catch((e: unknown) => {
        throw toContractError(e);
      });
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
      const leadership = await campaign(
        {
          client: this.#client,
          clock: this.#clock,
          election,
          dir: this.#layout.election(election),
          nodeId: this.nodeId,
          info,
          lost: this.#lost.signal,
          // The predecessor's deletion watch wakes the waiter: ZooKeeper delivers a watch or
          // ends the session, and after a reconnect the client library sets its watches again
          // (SetWatches with the last zxid it saw: the server fires what was missed meanwhile).
          // The re-check (a listing and an exists) only covers a watch a client bug dropped;
          // once per ttlMs bounds such a miss to the wait a crashed holder costs anyway, at two
          // requests per TTL where a re-check every pollIntervalMs cost two per poll (issue 18).
          recheckMs: this.timing.ttlMs,
          host: this.#termHost,
          previous: this.#cleanups.get(election),
          cleanup: (work) => this.#trackCleanup(election, work),
        },
        options,
      );
      this.#leaderships.set(election, leadership);
      if (this.#lost.signal.aborted) leadership.end('session-lost');
      else if (this.#client.state !== 'connected') leadership.end('connection-lost');
      return leadership;
    } finally {
      this.#campaigns.delete(election);
    }
  }

  /** Chains `work` after the election's earlier clean-ups; forgets the chain once it is done. */
  #trackCleanup(election: string, work: Promise<void>): void {
    const chained = Promise.all([this.#cleanups.get(election), work]).then(() => undefined);
    this.#cleanups.set(election, chained);
    void chained.finally(() => {
      if (this.#cleanups.get(election) === chained) this.#cleanups.delete(election);
    });
  }

  /** The candidate znode behind `fence` when this session still holds that term, else null. */
  resolveFence(fence: Fence): FenceNode | null {
    const held = this.#leaderships.get(fence.election);
    if (fence.sessionId !== this.id || !held || held.term !== fence.term || held.signal.aborted) return null;
    return { path: held.path, version: held.version };
  }

  /** 1. End every term (stop acting); 2. close the ZooKeeper session, which deletes our znodes at once. */
  close(): Promise<void> {
    this.#closing ??= this.#close();
    return this.#closing;
  }

  async #close(): Promise<void> {
    this.#endLeaderships('closed');
    const final = this.#state === 'lost';
    this.#state = 'closed';
    this.#lost.abort(new ClosedError(`session ${this.id} of node "${this.nodeId}"`));
    this.#emit('closed');
    this.#listeners.clear();
    this.#onFinal();
    if (!final) await this.#client.close();
    else await this.#releasing; // lost: released no earlier than the loss allowed (see #lose)
  }

  /**
   * A dropped connection ends every term at once with 'connection-lost' (Curator's default): from
   * then on nothing can prove that the quorum still holds the session, and acting on until the
   * renew deadline would only shorten the margin the successor relies on. The session itself
   * stays ('suspended'): it may reconnect and live on, and campaign again.
   */
  #onClientState(state: ZkClientState): void {
    if (this.#state !== 'live' && this.#state !== 'suspended') return;
    if (state === 'connected') this.#setState('live');
    else if (state === 'disconnected' || state === 'connecting') {
      this.#endLeaderships('connection-lost');
      this.#setState('suspended');
    }
  }

  /**
   * The local deadline checked at this moment (docs/safety.md rule 4): past `lastHeardAt +
   * renewDeadlineMs` on the monotonic clock, the session is lost synchronously, before any timer
   * runs (a process resumed after a freeze answers "not held" at once). Cheap: one clock read.
   */
  #alive(): boolean {
    if (this.#state !== 'live' && this.#state !== 'suspended') return false;
    if (this.#clock.now() >= this.#client.lastHeardAt + this.timing.renewDeadlineMs) {
      this.#loseByDeadline();
      return false;
    }
    if (this.#state !== 'live' || this.#client.state !== 'connected') this.#onClientState(this.#client.state); // its event may not have run yet
    return this.#state === 'live';
  }

  #loseByDeadline(): void {
    const silentMs = Math.round(this.#clock.now() - this.#client.lastHeardAt);
    this.#lose('renew-deadline', `the ensemble leader has not confirmed the session for ${silentMs} ms (renewDeadlineMs ${this.timing.renewDeadlineMs})`);
  }

  /** Waits for `lastHeardAt + renewDeadlineMs`, moving the deadline whenever the server answered. */
  async #deadlineLoop(): Promise<void> {
    const signal = this.#lost.signal;
    while (!signal.aborted) {
      const due = this.#client.lastHeardAt + this.timing.renewDeadlineMs;
      const now = this.#clock.now();
      if (now >= due) {
        this.#loseByDeadline();
        return;
      }
      if (!(await pause(this.#clock, due - now, signal))) return; // lost or closed: the loop ends with the session
    }
  }

  #lose(reason: LeadershipEndReason, why: string): void {
    if (this.#state === 'lost' || this.#state === 'closed') return;
    this.#state = 'lost';
    // Set before anyone hears of the loss, so that `released` (and a close from a listener) waits
    // for it; started only after the terms below have ended (stop acting first).
    const releaseAt = this.#client.lastHeardAt + this.timing.ttlMs;
    this.#releasing = Promise.resolve().then(() => this.#closeAt(releaseAt));
    const error = new SessionLostError(`session ${this.id} of node "${this.nodeId}" is lost: ${why}`);
    this.#endLeaderships(reason, error);
    this.#lost.abort(error);
    this.#emit('lost');
    this.#onFinal();
  }

  /**
   * Closes the ZooKeeper session (deleting its member and candidate znodes) at `releaseAt`, not
   * before (docs/safety.md rule 5). At the loss, the old holder's stop callbacks have just started; the
   * server would expire the session at `lastHeardAt + ttlMs` at the earliest had it stopped
   * hearing us, and the successor may start only then: closing it at once would hand the role
   * over while they still run. Until then the connection stays (its pings keep the session, so
   * the hand-over happens at `releaseAt` rather than at some later expiry). An expiry heard
   * meanwhile ends the wait: the server has released everything already.
   */
  async #closeAt(releaseAt: number): Promise<void> {
    const wait = releaseAt - this.#clock.now();
    if (wait > 0) await pause(this.#clock, wait, this.#client.ended);
    await this.#client.close().catch(() => undefined);
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
    if (this.#state === 'lost') throw new SessionLostError(`session ${this.id} of node "${this.nodeId}" is lost; open a new session`);
  }
}

/** The member znode's data: `{"info": {...}}`. */
export function memberData(info: JsonObject): Buffer {
  return Buffer.from(JSON.stringify({ info }), 'utf8');
}
