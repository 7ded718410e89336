import type { Clock } from '../../clock.js';
import type { ChangeListener } from '../../contract/contract.js';
import type { ChangeFeed, FeedMark } from './change-feed.js';

/** One reading of what a watch looks at. */
export interface Reading {
  /** Equal readings mean "no change". */
  readonly fingerprint: string;
  /** The DB time (epoch ms) of the latest change the reading can see (0 if none). */
  readonly changedAt: number;
}

/**
 * What one poll reads for every watch that shares it: watches whose sources have the same
 * `key` run one `read` per period, and each takes its own reading from the result (every KV
 * watch takes its rows from the one KV poll, which reads the keys under all watched prefixes).
 */
export interface PollSource<T> {
  readonly key: string;
  readonly read: () => Promise<T>;
  /** An election's name: the poll also wakes on that lease's own announcements. */
  readonly topic?: string | undefined;
  /**
   * While the engine announces changes (PostgreSQL, its LISTEN connection up): how long after
   * this read, in ms on the DB clock, what it read may change without an announcement (a
   * member's or a lease holder's expiry; Infinity when every change is announced, as every KV
   * write is). Omitted: at any time, so the poll reads every period.
   */
  readonly unannouncedChangeInMs?: ((data: T) => number) | undefined;
}

/**
 * The key of the poll of one election's lease row (a leader watch's): a waiting campaign of the
 * same backend asks whether it runs (SharedPolls.polls).
 */
export function leasePollKey(election: string): string {
  return `lease:${election}`;
}

/**
 * Slack, in ms on the DB clock, when judging whether a change seen by a watch's first reading
 * happened after the watch began: covers the millisecond rounding of stored times and the
 * small gap between the two clocks' readings. Too large only costs one spurious (allowed) hint.
 */
export const FIRST_READING_SLACK_MS = 5;

/**
 * Longest wait between two reads of a poll that sleeps on announcements, in poll periods (2 s
 * at the default 500 ms, the default retry period: the re-check of a waiting campaign,
 * sql-campaign.ts nextLook). It bounds what a NOTIFY lost on a LISTEN connection that died
 * without the client noticing costs a watch: the change is reported at most this much later
 * (docs/safety.md, PostgreSQL). A watch is a hint and decides nothing, so only time is at stake.
 */
const ANNOUNCED_RECHECK_POLL_PERIODS = 4;

interface Watcher<T> {
  readonly view: (data: T) => Reading;
  readonly listener: ChangeListener;
  readonly signal: AbortSignal;
  /** Local clock time of the watch() call. */
  readonly calledAt: number;
  /** The fingerprint of the previous reading; undefined until the first one landed. */
  last: string | undefined;
  /** Joined after the poll's current read began: its first reading is the next read. */
  pending: boolean;
}

interface Poll<T> {
  readonly source: PollSource<T>;
  readonly watchers: Set<Watcher<T>>;
  /** A watcher joined (it reads at once) or all left since the current read began: no wait. */
  nudged: boolean;
  /** Ends the poll's wait between reads, if it waits (nudge). */
  wake: () => void;
}

/** The `wake` of a poll that is not waiting. */
const NOT_WAITING = (): void => undefined;

/**
 * The polls of one backend's watches, shared: N watches of the same thing (the member list, one
 * election's lease row, the KV keys under any watched prefix) send one statement per poll period,
 * not N, and every watch is told of a change at the same poll it would have seen it alone.
 * Per watch:
 *  1. its first reading is the first read that begins after watch() was called (a poll woken
 *     for it at once, as an unshared watch would read at once); since it lands some ms after
 *     the call, a change it already shows that may be newer than the call (judged on the DB
 *     clock: DB now minus the local time elapsed since the call) is reported once;
 *  2. every poll tick (or announcement), the shared read is compared with its previous reading;
 *  3. a failed read is retried at the next tick and compared then (a watch reports changes,
 *     not outages).
 * A poll of an election's lease row (PollSource.topic) that sees it change while the engine
 * announces nothing (MySQL, SQLite, PostgreSQL's LISTEN connection down) wakes that election's
 * waiters as an announcement would (ChangeFeed.changeSeen): a waiting campaign of the same
 * backend then leaves the looking to the poll (sql-campaign.ts nextLookInMs, polls()).
 * Ticks are one poll period apart and shared by the backend's polls, which then read at the
 * same moment (on MySQL in one round trip: SqlConnection.readBatched), except while the engine announces changes: a source that says
 * when what it read may next change unannounced (PollSource.unannouncedChangeInMs) then reads
 * again only at that time (never sooner than one period), at most ANNOUNCED_RECHECK_POLL_PERIODS
 * periods later, and at once on an announcement (a LISTEN connection lost is one: the polls
 * read at once and then every period until it is back). An idle PostgreSQL node's KV polls
 * read every 2 s instead of every 500 ms, and so do its member and leader polls while nobody
 * is about to expire; an expiry is still seen within one poll period.
 * Known gap: a row deleted between watch() and the first reading leaves no trace to judge
 * by, so that one change goes unreported (later ones are compared as usual).
 * A poll lives while it has watchers.
 */
export class SharedPolls {
  readonly #feed: ChangeFeed;
  readonly #clock: Clock;
  readonly #dbNow: () => Promise<number>;
  readonly #pollIntervalMs: number;
  /** Local clock time the ticks count from: every poll of the backend reads at the same tick. */
  readonly #tickEpoch: number;
  /** Polls waiting for the next tick: woken together, in one turn of the event loop. */
  readonly #tickWaiters = new Set<() => void>();
  /** Whether the timer of the next tick is set. */
  #tickSet = false;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- each poll keeps its own row type
  readonly #polls = new Map<string, Poll<any>>();

  constructor(feed: ChangeFeed, clock: Clock, dbNow: () => Promise<number>, pollIntervalMs: number) {
    this.#feed = feed;
    this.#clock = clock;
    this.#dbNow = dbNow;
    this.#pollIntervalMs = pollIntervalMs;
    this.#tickEpoch = clock.now();
  }

  /** How many polls run now (one statement each per period at rest). */
  get size(): number {
    return this.#polls.size;
  }

  /**
   * Whether the poll of `key` runs and will see the next change of what it reads: one of its
   * watchers holds a reading that the next read is compared with (a poll still waiting for its
   * first reading, or whose reads have failed since it began, would miss one).
   */
  polls(key: string): boolean {
    const poll = this.#polls.get(key);
    return poll !== undefined && [...poll.watchers].some((w) => w.last !== undefined);
  }

  /**
   * Calls `listener` whenever `view` of the source's result differs from its previous reading,
   * until `signal` aborts. The poll of the source's key is joined when it runs, else started.
   */
  watch<T>(source: PollSource<T>, view: (data: T) => Reading, listener: ChangeListener, signal: AbortSignal): void {
    if (signal.aborted) return;
    let poll = this.#polls.get(source.key) as Poll<T> | undefined;
    if (poll === undefined) {
      const started: Poll<T> = { source, watchers: new Set(), nudged: false, wake: NOT_WAITING };
      this.#polls.set(source.key, started);
      poll = started;
      // Started after this call's synchronous caller: watches made together share the first read.
      void Promise.resolve().then(() => this.#run(started));
    }
    const watcher: Watcher<T> = { view, listener, signal, calledAt: this.#clock.now(), last: undefined, pending: true };
    poll.watchers.add(watcher);
    nudge(poll);
    const shared = poll;
    signal.addEventListener(
      'abort',
      () => {
        shared.watchers.delete(watcher);
        if (shared.watchers.size > 0) return;
        if (this.#polls.get(shared.source.key) === shared) this.#polls.delete(shared.source.key);
        nudge(shared);
      },
      { once: true },
    );
  }

  async #run<T>(poll: Poll<T>): Promise<void> {
    const topic = poll.source.topic;
    const unfollow = topic === undefined ? undefined : this.#feed.follow(topic);
    try {
      while (poll.watchers.size > 0) {
        poll.nudged = false;
        let mark = this.#feed.mark(topic);
        const readers = [...poll.watchers];
        for (const w of readers) w.pending = false;
        let data: T | undefined;
        try {
          const read = await this.#readFor(poll.source, readers);
          data = read.data;
          // The topic's wake this read made itself ends no wait of this poll (another still does).
          if (read.changeSeen) mark = { ...mark, topicCount: mark.topicCount + 1 };
        } catch {
          // Store unreachable: nothing to compare yet; the next tick reads again.
        }
        if (poll.watchers.size === 0) return;
        if ([...poll.watchers].some((w) => w.pending)) continue; // a joiner reads at once
        await this.#untilNextRead(poll, this.#waitAfter(poll.source, data), mark);
      }
    } finally {
      unfollow?.();
    }
  }

  /**
   * How long to wait for an announcement before the next read: until the next tick (undefined),
   * or while announcements arrive, until what `data` shows may change unannounced (at least one
   * period, at most the re-check). After a failed read (`data` undefined), until the next tick.
   */
  #waitAfter<T>(source: PollSource<T>, data: T | undefined): number | undefined {
    if (data === undefined || source.unannouncedChangeInMs === undefined || !this.#feed.announcing) return undefined;
    const recheckMs = ANNOUNCED_RECHECK_POLL_PERIODS * this.#pollIntervalMs;
    const quietMs = source.unannouncedChangeInMs(data);
    return Number.isNaN(quietMs) ? this.#pollIntervalMs : Math.min(recheckMs, Math.max(this.#pollIntervalMs, quietMs));
  }

  /**
   * Resolves at the poll's next read: the next tick (`waitMs` undefined) or after `waitMs`, or
   * sooner on an announcement since `mark` or a nudge. Waiting for the tick takes no timer,
   * AbortController or error of its own: an idle MySQL node's polls wait so twice a second, and
   * the signals, timers and AbortErrors of a wait made of `ChangeFeed.wait` were a measurable
   * part of its CPU (docs/benchmarks.md, scale-mysql-idle-waits). A wait of `waitMs` (a poll
   * that sleeps on announcements, PostgreSQL with LISTEN up) comes once in several periods, so
   * it is `ChangeFeed.wait`, ended by a nudge through a signal.
   */
  async #untilNextRead<T>(poll: Poll<T>, waitMs: number | undefined, mark: FeedMark): Promise<void> {
    if (poll.nudged) return;
    if (waitMs !== undefined) {
      const nudged = new AbortController();
      poll.wake = () => nudged.abort();
      try {
        await this.#feed.wait(waitMs, nudged.signal, mark);
      } catch {
        // Nudged: a watcher joined, or all left (the poll's loop tells which).
      } finally {
        poll.wake = NOT_WAITING;
      }
      return;
    }
    if (this.#feed.changedSince(mark)) return;
    await new Promise<void>((resolve) => {
      const done = () => {
        if (poll.wake !== done) return; // ended already
        poll.wake = NOT_WAITING;
        stopAnnouncements();
        this.#tickWaiters.delete(done);
        resolve();
      };
      poll.wake = done;
      const stopAnnouncements = this.#feed.onAnnouncement(mark.topic, done);
      this.#onNextTick(done);
    });
  }

  /**
   * Calls `wake` at the backend's next tick, one poll period apart from the first on the local
   * clock: one timer for all polls, so that they read in one turn of the event loop (on MySQL in
   * one round trip: readBatched), which timers of their own, set a fraction of a ms apart, do
   * not always do. A poll that read between two ticks (its first read, or a joiner's) waits
   * less than a period once.
   */
  #onNextTick(wake: () => void): void {
    this.#tickWaiters.add(wake);
    if (this.#tickSet) return;
    this.#tickSet = true;
    const sinceTick = (this.#clock.now() - this.#tickEpoch) % this.#pollIntervalMs;
    void this.#clock.sleep(this.#pollIntervalMs - sinceTick).then(() => {
      this.#tickSet = false;
      const woken = [...this.#tickWaiters];
      this.#tickWaiters.clear();
      for (const w of woken) w();
    });
  }

  /**
   * One shared read, compared with each reader's previous reading; returns what was read, and
   * whether a change of the source's topic seen in it woke that topic's waiters (only while the
   * engine announces nothing: else the change's own announcement wakes them).
   */
  async #readFor<T>(source: PollSource<T>, readers: readonly Watcher<T>[]): Promise<{ readonly data: T; readonly changeSeen: boolean }> {
    const data = await source.read();
    let changed = false;
    let dbNow: number | undefined;
    if (readers.some((w) => w.last === undefined && !w.signal.aborted)) {
      try {
        dbNow = await this.#dbNow();
      } catch {
        // First readings wait for the next tick; the others are compared now.
      }
    }
    const localNow = this.#clock.now();
    for (const w of readers) {
      if (w.signal.aborted) continue;
      let current: Reading;
      try {
        current = w.view(data);
      } catch {
        continue; // unreadable for this watch: compared at the next tick
      }
      if (w.last === undefined) {
        if (dbNow === undefined) continue;
        const dbAtCall = dbNow - (localNow - w.calledAt) - FIRST_READING_SLACK_MS;
        if (current.changedAt >= dbAtCall) notify(w.listener);
      } else if (current.fingerprint !== w.last) {
        changed = true;
        notify(w.listener);
      }
      w.last = current.fingerprint;
    }
    const topic = source.topic;
    if (!changed || topic === undefined || this.#feed.announcing) return { data, changeSeen: false };
    this.#feed.changeSeen(topic);
    return { data, changeSeen: true };
  }
}

/** Ends the poll's wait, or the one it is about to begin: a watcher joined, or all left. */
function nudge<T>(poll: Poll<T>): void {
  poll.nudged = true;
  poll.wake();
}

/** Calls a watcher's listener; a listener that throws is a caller bug, reported as a warning. */
function notify(listener: ChangeListener): void {
  try {
    listener();
  } catch (error) {
    process.emitWarning(`baton: a change listener threw: ${error instanceof Error ? error.message : String(error)}`);
  }
}
