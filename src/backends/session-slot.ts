/**
 * The one session a backend keeps open at a time, for the backends whose session is an object
 * of their own (ZooKeeper, etcd): a second openSession while one is open is refused, the session
 * opened is held and started, it leaves the slot when it ends (its onFinal), and closing the
 * backend closes it once. The held session answers for the backend's fenced writes.
 */
import { StateError } from '../errors.js';

/** What the slot needs of a backend's session. */
export interface SlotSession {
  readonly id: string;
  start(): void;
  close(): Promise<void>;
}

export class SessionSlot<S extends SlotSession> {
  readonly #cluster: string;
  #session: S | undefined;

  constructor(cluster: string) {
    this.#cluster = cluster;
  }

  /** The session open now, if any. */
  get current(): S | undefined {
    return this.#session;
  }

  /** StateError while a session is open: close it before opening another. */
  checkFree(): void {
    if (this.#session) throw new StateError(`backend for cluster "${this.#cluster}" already has an open session (${this.#session.id}); close it first`);
  }

  /** Holds `session` (just opened) and starts it. */
  start(session: S): S {
    this.#session = session;
    session.start();
    return session;
  }

  /** Frees the slot when `session` ended, if it still holds that one. */
  ended(session: S): void {
    if (this.#session === session) this.#session = undefined;
  }

  /**
   * Frees the slot and closes the session it held. A failed close is not reported: the backend
   * closing says, where it calls this, why its store ends the session anyway.
   */
  async close(): Promise<void> {
    const session = this.#session;
    this.#session = undefined;
    await session?.close().catch(() => undefined);
  }
}
