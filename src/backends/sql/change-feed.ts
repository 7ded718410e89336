import type { Clock } from '../../clock.js';
import type { ChangeListener } from '../../contract/contract.js';
import { AbortedError } from '../../errors.js';
import type { Handover, SqlConnection } from './dialect.js';
import { anySignal } from '../../async.js';

/** One reading of what a watch looks at. */
export interface Reading {
  /** Equal readings mean "no change". */
  readonly fingerprint: string;
  /** The DB time (epoch ms) of the latest change the reading can see (0 if none). */
  readonly changedAt: number;
}

/**
 * Slack, in ms on the DB clock, when judging whether a change seen by a watch's first reading
 * happened after the watch began: covers the millisecond rounding of stored times and the
 * small gap between the two clocks' readings. Too large only costs one spurious (allowed) hint.
 */
const FIRST_READING_SLACK_MS = 5;

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

  readonly #dbNow: () => Promise<number>;

  constructor(connection: SqlConnection, cluster: string, clock: Clock, dbNow: () => Promise<number>) {
    this.#clock = clock;
    this.#connection = connection;
    this.#dbNow = dbNow;
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

  /**
   * Resolves after `ms`, or sooner on an announcement of the whole cluster or of the mark's
   * topic (or at once if one came since `since`): true when an announcement ended the wait,
   * false when the time did. Rejects with AbortedError when `signal` aborts.
   */
  async wait(ms: number, signal: AbortSignal, since: FeedMark = this.mark()): Promise<boolean> {
    if (signal.aborted) throw new AbortedError('wait for change', signal.reason);
    const topic = since.topic === undefined ? undefined : this.#topics.get(since.topic);
    if (this.#count !== since.cluster || (topic !== undefined && topic.count !== since.topicCount)) return true;
    const woken = new AbortController();
    const wake = () => woken.abort();
    this.#waiters.add(wake);
    topic?.waiters.add(wake);
    const both = anySignal(signal, woken.signal);
    try {
      await this.#clock.sleep(ms, { signal: both });
      return false;
    } catch (error) {
      if (signal.aborted) throw error;
      return true;
    } finally {
      both.dispose();
      this.#waiters.delete(wake);
      topic?.waiters.delete(wake);
    }
  }

  /**
   * Polls `read` and calls `listener` whenever the fingerprint differs from the previous
   * reading, until `signal` aborts:
   *  1. the first reading is the baseline; since it lands some ms after watch() was called,
   *     a change it already shows that may be newer than the call (judged on the DB clock:
   *     DB now minus the local time elapsed since the call) is reported once;
   *  2. every poll tick (or announcement), read again and compare;
   *  3. a failed reading is retried at the next tick and compared then (a watch reports
   *     changes, not outages).
   * Known gap: a row deleted between watch() and the first reading leaves no trace to judge
   * by, so that one change goes unreported (later ones are compared as usual).
   * With `topic` (an election's name) the watch also wakes on that topic's announcements; the
   * whole cluster's announcements wake it either way.
   */
  watch(pollIntervalMs: number, read: () => Promise<Reading>, listener: ChangeListener, signal: AbortSignal, topic?: string): void {
    const calledAt = this.#clock.now();
    const unfollow = topic === undefined ? undefined : this.follow(topic);
    void (async () => {
      let last: string | undefined;
      while (!signal.aborted) {
        const mark = this.mark(topic);
        try {
          const current = await read();
          if (signal.aborted) return;
          if (last === undefined) {
            const dbNow = await this.#dbNow();
            const dbAtCall = dbNow - (this.#clock.now() - calledAt) - FIRST_READING_SLACK_MS;
            if (!signal.aborted && current.changedAt >= dbAtCall) notify(listener);
          } else if (current.fingerprint !== last) {
            notify(listener);
          }
          last = current.fingerprint;
        } catch {
          // Store unreachable: nothing to compare yet; the next tick reads again.
        }
        try {
          await this.wait(pollIntervalMs, signal, mark);
        } catch {
          return; // the watch ended
        }
      }
    })().finally(unfollow);
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

/** Calls a watcher's listener; a listener that throws is a caller bug, reported as a warning. */
function notify(listener: ChangeListener): void {
  try {
    listener();
  } catch (error) {
    process.emitWarning(`baton: a change listener threw: ${error instanceof Error ? error.message : String(error)}`);
  }
}
