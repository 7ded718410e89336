import type { Clock } from '../../clock.js';
import { AbortedError } from '../../errors.js';
import type { Handover, SqlConnection } from './dialect.js';
import { anySignal } from '../../async.js';

/**
 * Where a waiter stood before it looked at the store: the feed's announcement counts then, so
 * that one arriving between the look and the wait is not missed.
 */
export interface FeedMark {
  /** Announcements of the whole cluster so far. */
  readonly cluster: number;
  /** The topic followed (an election's name), and its announcements so far. */
  readonly topic?: string;
  readonly topicCount: number;
}

/** A topic some waiter follows: its announcements so far, and who to wake on the next one. */
interface Topic {
  count: number;
  /** `count` right after the last announcement that was not a handover. */
  plainCount: number;
  followers: number;
  readonly waiters: Set<() => void>;
}

/**
 * Wakes pollers of one cluster: every `pollIntervalMs`, and at once when the engine announces
 * a change (PostgreSQL NOTIFY). An announcement is either for the whole cluster (a KV write, a
 * member joining or leaving: it wakes every waiter) or for one topic (a lease row taken or
 * released: it wakes only the waiters that follow that election, and those of the whole
 * cluster's announcements do not wake). So 10,000 items taken at a cold start wake nobody's KV
 * and member watches, and a release wakes the campaigns waiting for that lease, not every
 * waiting campaign. Counts of announcements let a waiter that marked them before looking at the
 * store notice one that arrives in between.
 */
export class ChangeFeed {
  readonly #clock: Clock;
  readonly #connection: SqlConnection;
  readonly #waiters = new Set<() => void>();
  /** Topics followed now; an announcement of a topic nobody follows wakes nobody. */
  readonly #topics = new Map<string, Topic>();
  /** Tickets of campaigns waiting here (waiters.ts), and the handover each was told of, if any. */
  readonly #tickets = new Map<string, Handover | undefined>();
  readonly #unsubscribe: () => void;
  #count = 0;

  constructor(connection: SqlConnection, cluster: string, clock: Clock) {
    this.#clock = clock;
    this.#connection = connection;
    this.#unsubscribe = connection.onAnnounce(cluster, (topic, handover) => {
      if (handover !== undefined && this.#tickets.has(handover.ticket)) this.#tickets.set(handover.ticket, handover);
      if (topic === undefined) this.#wake();
      else this.#wakeTopic(topic, handover !== undefined);
    });
  }

  /**
   * Keeps the handover announced for `ticket` (a waiting campaign's) from now until the
   * returned `stop`; `handed()` reads it (undefined until one arrives). It arrives with the
   * announcement of its election, which wakes that election's waiters.
   */
  expectHandover(ticket: string): { readonly handed: () => Handover | undefined; readonly stop: () => void } {
    this.#tickets.set(ticket, undefined);
    return { handed: () => this.#tickets.get(ticket), stop: () => this.#tickets.delete(ticket) };
  }

  /** Whether announcements reach this feed now (see SqlConnection.announcing). */
  get announcing(): boolean {
    return this.#connection.announcing;
  }

  /**
   * Follows `topic` (an election's name) until the returned function is called: its
   * announcements are counted and wake its waiters. Several followers share one count.
   */
  follow(topic: string): () => void {
    let followed = this.#topics.get(topic);
    if (followed === undefined) {
      followed = { count: 0, plainCount: 0, followers: 0, waiters: new Set() };
      this.#topics.set(topic, followed);
    }
    const state = followed;
    state.followers += 1;
    let done = false;
    return () => {
      if (done) return;
      done = true;
      state.followers -= 1;
      if (state.followers === 0 && this.#topics.get(topic) === state) this.#topics.delete(topic);
    };
  }

  /** The announcement counts now: of the whole cluster, and of `topic` (followed by the caller). */
  mark(topic?: string): FeedMark {
    return topic === undefined ? { cluster: this.#count, topicCount: 0 } : { cluster: this.#count, topic, topicCount: this.#topics.get(topic)?.count ?? 0 };
  }

  /**
   * Whether every announcement since `since` was a handover of its topic (none of the whole
   * cluster's): the lease went from one live session to another, so a waiter not named by it
   * has nothing to take, only the new holder's expiry to read.
   */
  onlyHandoversSince(since: FeedMark): boolean {
    const topic = since.topic === undefined ? undefined : this.#topics.get(since.topic);
    return topic !== undefined && this.#count === since.cluster && topic.count > since.topicCount && topic.plainCount <= since.topicCount;
  }

  /** Whether an announcement of the whole cluster, or of the mark's topic, came since `since`. */
  changedSince(since: FeedMark): boolean {
    const topic = since.topic === undefined ? undefined : this.#topics.get(since.topic);
    return this.#count !== since.cluster || (topic !== undefined && topic.count !== since.topicCount);
  }

  /**
   * Calls `wake` on each announcement of the whole cluster or of `topic` (followed by the
   * caller) until the returned function is called. Not for one that came before: ask
   * `changedSince` first.
   */
  onAnnouncement(topic: string | undefined, wake: () => void): () => void {
    const followed = topic === undefined ? undefined : this.#topics.get(topic);
    this.#waiters.add(wake);
    followed?.waiters.add(wake);
    return () => {
      this.#waiters.delete(wake);
      followed?.waiters.delete(wake);
    };
  }

  /**
   * Resolves after `ms`, or sooner on an announcement of the whole cluster or of the mark's
   * topic (or at once if one came since `since`): true when an announcement ended the wait,
   * false when the time did. Rejects with AbortedError when `signal` aborts.
   */
  async wait(ms: number, signal: AbortSignal, since: FeedMark = this.mark()): Promise<boolean> {
    if (signal.aborted) throw new AbortedError('wait for change', signal.reason);
    if (this.changedSince(since)) return true;
    const woken = new AbortController();
    const stop = this.onAnnouncement(since.topic, () => woken.abort());
    const both = anySignal(signal, woken.signal);
    try {
      await this.#clock.sleep(ms, { signal: both });
      return false;
    } catch (error) {
      if (signal.aborted) throw error;
      return true;
    } finally {
      both.dispose();
      stop();
    }
  }

  /**
   * A change of `topic` (an election's lease row) seen by a poll rather than announced: wakes
   * that election's waiters as its announcement would, where the engine announces nothing
   * (shared-polls.ts). Like any announcement that is not a handover, the waiters take first.
   */
  changeSeen(topic: string): void {
    this.#wakeTopic(topic, false);
  }

  close(): void {
    this.#unsubscribe();
    this.#wake();
  }

  #wake(): void {
    this.#count++;
    for (const wake of [...this.#waiters]) wake();
  }

  #wakeTopic(name: string, handover: boolean): void {
    const topic = this.#topics.get(name);
    if (topic === undefined) return;
    topic.count++;
    if (!handover) topic.plainCount = topic.count;
    for (const wake of [...topic.waiters]) wake();
  }
}
