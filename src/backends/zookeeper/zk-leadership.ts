import type { CallOptions, Fence, Leadership } from '../../contract/contract.js';
import type { Clock } from '../../clock.js';
import { pause, raceSignal } from '../../async.js';
import { leadershipEnded, type LeadershipEndReason } from '../../errors.js';
import type { ZkClient, ZkEvent } from '../../zk-client/zk-client.js';
import { isZkError } from '../../zk-client/zookeeper-error.js';
import { judgedController } from '../../judged-signal.js';

/** What a term needs from its session (ZkSession supplies it through the campaign). */
export interface TermHost {
  readonly client: ZkClient;
  readonly clock: Clock;
  /** The session's `lost` signal: bounds every background deletion (the znode goes with the session). */
  readonly lost: AbortSignal;
  /** Pause between two tries of a deletion whose answer was lost, ms on `clock`. */
  readonly retryMs: number;
  /**
   * Checks the session's local deadline and connection at this moment (ZkSession.check): past
   * the deadline or disconnected, the session ends its terms synchronously and this says false.
   */
  readonly alive: () => boolean;
  /**
   * Monotonic time (on `clock`) before which a candidate of a term that ended without a graceful
   * handoff must stay: `lastHeardAt + ttlMs`, when the server would expire the session anyway.
   */
  readonly releaseAt: () => number;
  /** Hands a background deletion to the election's clean-up chain (the next campaign waits for it). */
  readonly cleanup: (election: string, work: Promise<void>) => void;
  readonly onEnd: (leadership: ZkLeadership) => void;
}

/**
 * One held term: the session's candidate znode is the lowest of its election. The term is that
 * znode's czxid. The term ends (signal aborts with LeadershipEndedError) when the znode is
 * deleted by anyone (watched), when the session is lost or closed, when the connection drops,
 * or on resign.
 *
 * Release (docs/safety.md rule 5): only a graceful handoff (resign while held, session close) deletes
 * the candidate at once. A term that ended by its deadline or a lost connection keeps its
 * candidate until `releaseAt` (the server's own expiry of the session had it stopped hearing
 * us): that margin, `ttlMs - renewDeadlineMs` at least, is what lets the old holder's stop
 * callbacks finish before a successor can start.
 */
export class ZkLeadership implements Leadership {
  readonly election: string;
  readonly term: number;
  readonly fence: Fence;
  /** The candidate znode and its data version, checked by fenced writes. */
  readonly path: string;
  readonly version: number;
  readonly #host: TermHost;
  /** Judges the session whenever `aborted` is read, also on a signal kept from earlier (judged-signal.ts). */
  readonly #ended = judgedController(() => {
    if (!this.#ended.signal.aborted) this.#host.alive();
  });
  readonly #watcher = (event: ZkEvent) => this.#onEvent(event);
  /** The watcher the confirming `exists` set on the candidate (it forwards to `watcher`); removed when the term ends. */
  readonly #confirmWatcher: ((event: ZkEvent) => void) | undefined;
  /** The candidate's deletion once it is under way (graceful or deferred). */
  #releasing: Promise<void> | undefined;

  constructor(params: { election: string; term: number; sessionId: string; path: string; version: number; confirmWatcher?: (event: ZkEvent) => void; host: TermHost }) {
    this.election = params.election;
    this.term = params.term;
    this.fence = Object.freeze({ election: params.election, term: params.term, sessionId: params.sessionId });
    this.path = params.path;
    this.version = params.version;
    this.#host = params.host;
    this.#confirmWatcher = params.confirmWatcher;
  }

  /** The term's signal, current when read: the session's deadline is checked first (see `held`). */
  get signal(): AbortSignal {
    if (!this.#ended.signal.aborted) this.#host.alive();
    return this.#ended.signal;
  }

  /**
   * Held right now: not ended, and the session's local deadline (lastHeardAt + renewDeadlineMs on
   * the monotonic clock) has not passed and its connection is up. A timer may not have run yet
   * (a process resumed after a freeze): the check ends the term synchronously then.
   */
  held(): boolean {
    return !this.#ended.signal.aborted && this.#host.alive() && !this.#ended.signal.aborted;
  }

  /** The watcher to pass to the `exists` call that confirmed the znode (no gap in watching). */
  get watcher(): (event: ZkEvent) => void {
    return this.#watcher;
  }

  /**
   * Ends the term (idempotent): the holder must stop acting at once. After a deadline or a lost
   * connection the candidate is deleted no earlier than `releaseAt` (see the class comment); a
   * lost or closed session takes it along itself.
   */
  end(reason: LeadershipEndReason, cause?: unknown): void {
    if (this.#ended.signal.aborted) return;
    // The deferred deletion joins the clean-up chain before anyone hears of the end: a campaign
    // of this session started afterwards must wait for it (else it would delete this candidate
    // early, as a lower one of its own session).
    if (reason === 'connection-lost' || reason === 'renew-deadline') this.#release(this.#deleteAt(this.#host.releaseAt()));
    this.#host.client.removeWatcher(this.#watcher);
    if (this.#confirmWatcher) this.#host.client.removeWatcher(this.#confirmWatcher);
    this.#ended.abort(leadershipEnded(this.election, this.term, reason, { cause }));
    this.#host.onEnd(this);
  }

  /**
   * Graceful handoff when still held: 1. end the term locally (stop acting first); 2. delete the
   * candidate so the next one leads at once, retrying until it is gone (see #deleteUntilGone).
   * A term that already ended by its deadline or a lost connection releases nothing early.
   */
  resign(options: CallOptions = {}): Promise<void> {
    if (this.held()) {
      // Chained first (see `end`), sent only after the term has ended locally.
      this.#release(Promise.resolve().then(() => this.#deleteUntilGone()));
      this.end('resigned');
    }
    return this.#releasing && options.signal ? raceSignal(this.#releasing, options.signal, 'resign') : Promise.resolve(this.#releasing);
  }

  #release(work: Promise<void>): void {
    this.#releasing = work;
    this.#host.cleanup(this.election, work);
  }

  /** Waits (bounded by the session) until `releaseAt`, then deletes the candidate. */
  async #deleteAt(releaseAt: number): Promise<void> {
    const { clock, lost } = this.#host;
    const wait = releaseAt - clock.now();
    // The session ended: its candidate goes with it (never earlier than releaseAt, see ZkSession).
    if (wait > 0 && !(await pause(clock, wait, lost))) return;
    await this.#deleteUntilGone();
  }

  /**
   * Deletes the candidate until it is gone, bounded by the session (its end takes the znode).
   * A delete whose answer was lost (CONNECTION_LOSS: the connection dropped with it in flight)
   * may or may not have landed, so it is sent again after `retryMs` until the server answers:
   * NO_NODE means gone. The path is exact and sequence names never repeat in an election, so a
   * retry can never delete another candidate. Left behind, the znode would stay lowest and block
   * the election for as long as the session lives (issue 10 case 7); the campaign side also
   * removes lower candidates of its own session (zk-campaign.ts).
   */
  async #deleteUntilGone(): Promise<void> {
    const { client, clock, lost, retryMs } = this.#host;
    while (!lost.aborted && client.state !== 'closed' && client.state !== 'expired') {
      try {
        await client.delete(this.path, { signal: lost });
        return;
      } catch (error) {
        if (!isZkError(error, 'CONNECTION_LOSS')) return; // NO_NODE: gone; expired, closed, aborted: the session took it
      }
      await pause(clock, retryMs, lost);
    }
  }

  #onEvent(event: ZkEvent): void {
    if (this.#ended.signal.aborted) return;
    if (event.type === 'deleted') {
      this.end('taken-over');
      return;
    }
    // Data changed (someone rewrote the info): keep watching; gone by now also ends the term.
    this.#host.client.exists(this.path, { watch: this.#watcher, signal: this.#ended.signal }).then(
      (stat) => {
        if (stat === null) this.end('taken-over');
      },
      (error: unknown) => {
        // Connection trouble: the session's own deadline decides; a vanished znode ends the term.
        if (isZkError(error, 'NO_NODE')) this.end('taken-over', error);
      },
    );
  }
}
