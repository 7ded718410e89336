/**
 * Where a leader elector gets its sessions. A session is never revived once lost (contract), so
 * an elector that must outlive one asks its source for the next: by default it opens its own
 * ({@link OwnSessions}); the node hands it the session it shares with its features
 * ({@link SuppliedSessions}).
 */
import type { Logger } from 'pino';
import { backoffDelay } from '../backoff.js';
import type { Clock } from '../clock.js';
import type { Backend, Session } from '../contract/contract.js';
import type { JsonObject } from '../contract/json.js';
import type { SessionTiming } from '../contract/timing.js';
import { isBatonError } from '../errors.js';
import { pause } from '../async.js';

export interface SessionSource {
  /** Published as the leader's info; the same info as the sessions' member info. */
  readonly info: JsonObject;
  /** The timing of the sessions it gives (drives the elector's retry period). */
  readonly timing: SessionTiming;
  /**
   * Resolves with a live session that no campaign has used before. Rejects with AbortedError when
   * `signal` aborts, or with an error retrying cannot fix (a bad config), which stops the elector.
   */
  next(options: { signal: AbortSignal }): Promise<Session>;
  /**
   * The elector is done with `session`: its term has ended, its `released` listeners have
   * settled and, when closing, it has resigned. `graceful`: the elector is closing (not lost).
   */
  done(session: Session, graceful: boolean): Promise<void>;
}

/** Errors that retrying cannot fix: the elector stops instead of looping. */
export const FATAL_SESSION_CODES: ReadonlySet<string> = new Set(['CONFIG', 'INVALID_ARGUMENT', 'UNSUPPORTED', 'STATE', 'CLOSED']);

/**
 * Cap of the wait between session attempts, as a multiple of retryPeriodMs (wall time): a node
 * whose id is still held by its own lost session waits at most ~ttlMs for it to expire, so 8
 * retry periods keep it close behind the expiry without hammering the store.
 */
export const MAX_SESSION_BACKOFF_PERIODS = 8;

/**
 * Opens the elector's sessions itself, one at a time, with `nodeId` and `info`:
 * 1. after a lost session, wait one retry period first (as a demoted leader must);
 * 2. open; a transient failure (store unreachable, this node id still held by the lost session
 *    until it expires) is logged and retried with backoff up to 8 retry periods;
 * 3. `done` closes the session (gracefully when closing; a lost one only cleans up locally).
 */
export class OwnSessions implements SessionSource {
  readonly #backend: Backend;
  readonly #nodeId: string;
  readonly #clock: Clock;
  readonly #log: Logger | undefined;
  #opened = 0;
  readonly info: JsonObject;
  readonly timing: SessionTiming;

  constructor(options: { backend: Backend; nodeId: string; info: JsonObject; timing: SessionTiming; clock: Clock; logger?: Logger | undefined }) {
    this.#backend = options.backend;
    this.#nodeId = options.nodeId;
    this.info = options.info;
    this.timing = options.timing;
    this.#clock = options.clock;
    this.#log = options.logger;
  }

  async next({ signal }: { signal: AbortSignal }): Promise<Session> {
    const { retryPeriodMs } = this.timing;
    if (this.#opened > 0) await pause(this.#clock, retryPeriodMs, signal);
    for (let attempt = 0; ; attempt++) {
      signal.throwIfAborted();
      try {
        const session = await this.#backend.openSession({ nodeId: this.#nodeId, info: this.info, timing: this.timing, signal });
        this.#opened++;
        return session;
      } catch (error) {
        if (signal.aborted || (isBatonError(error) && FATAL_SESSION_CODES.has(error.code))) throw error;
        const waitMs = backoffDelay(attempt, retryPeriodMs, retryPeriodMs * MAX_SESSION_BACKOFF_PERIODS);
        this.#log?.warn({ err: error, waitMs, reason: 'session open failed' }, 'cannot open a session; retrying in %d ms', waitMs);
        await pause(this.#clock, waitMs, signal);
      }
    }
  }

  async done(session: Session): Promise<void> {
    await session.close().catch((error: unknown) => this.#log?.warn({ err: error, reason: 'session close failed' }, 'session close failed'));
  }
}

/**
 * Sessions handed in by their owner (the node, which shares each session with its features):
 * `supply(session)` gives the elector the next session and resolves once the elector is done
 * with it (or at once when nobody takes it before `signal` aborts).
 */
export class SuppliedSessions implements SessionSource {
  readonly info: JsonObject;
  readonly timing: SessionTiming;
  #offered: { session: Session; taken: () => void } | null = null;
  #wake: (() => void) | null = null;
  readonly #finished = new Map<Session, () => void>();

  constructor(info: JsonObject, timing: SessionTiming) {
    this.info = info;
    this.timing = timing;
  }

  /** Offers `session`; resolves when the elector is done with it, or when `signal` aborts before it takes it. */
  supply(session: Session, { signal }: { signal: AbortSignal }): Promise<void> {
    return new Promise((resolve) => {
      const cancel = () => {
        if (this.#offered?.session !== session) return;
        this.#offered = null;
        this.#finished.delete(session);
        resolve();
      };
      this.#finished.set(session, resolve);
      this.#offered = { session, taken: () => signal.removeEventListener('abort', cancel) };
      signal.addEventListener('abort', cancel, { once: true });
      if (signal.aborted) cancel();
      this.#wake?.();
    });
  }

  async next({ signal }: { signal: AbortSignal }): Promise<Session> {
    while (this.#offered === null) {
      signal.throwIfAborted();
      await new Promise<void>((resolve) => {
        const wake = () => {
          signal.removeEventListener('abort', wake);
          this.#wake = null;
          resolve();
        };
        this.#wake = wake;
        signal.addEventListener('abort', wake, { once: true });
      });
    }
    const { session, taken } = this.#offered;
    this.#offered = null;
    taken();
    return session;
  }

  async done(session: Session): Promise<void> {
    const finished = this.#finished.get(session);
    this.#finished.delete(session);
    finished?.();
  }
}
