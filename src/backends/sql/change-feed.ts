import type { Clock } from '../../clock.js';
import type { ChangeListener } from '../../contract/contract.js';
import { AbortedError } from '../../errors.js';
import type { SqlConnection } from './dialect.js';
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
 * Wakes pollers of one cluster: every `pollIntervalMs`, and at once when the engine announces
 * a change (PostgreSQL NOTIFY). `generation` counts announcements, so a waiter that noted it
 * before looking at the store does not miss one that arrives in between.
 */
export class ChangeFeed {
  readonly #clock: Clock;
  readonly #connection: SqlConnection;
  readonly #waiters = new Set<() => void>();
  readonly #unsubscribe: () => void;
  #generation = 0;

  readonly #dbNow: () => Promise<number>;

  constructor(connection: SqlConnection, cluster: string, clock: Clock, dbNow: () => Promise<number>) {
    this.#clock = clock;
    this.#connection = connection;
    this.#dbNow = dbNow;
    this.#unsubscribe = connection.onAnnounce(cluster, () => this.#wake());
  }

  get generation(): number {
    return this.#generation;
  }

  /** Whether announcements reach this feed now (see SqlConnection.announcing). */
  get announcing(): boolean {
    return this.#connection.announcing;
  }

  /**
   * Resolves after `ms`, or sooner on an announcement (or at once if one came since
   * `sinceGeneration`): true when an announcement ended the wait, false when the time did.
   * Rejects with AbortedError when `signal` aborts.
   */
  async wait(ms: number, signal: AbortSignal, sinceGeneration = this.#generation): Promise<boolean> {
    if (signal.aborted) throw new AbortedError('wait for change', signal.reason);
    if (this.#generation !== sinceGeneration) return true;
    const woken = new AbortController();
    const wake = () => woken.abort();
    this.#waiters.add(wake);
    const both = anySignal(signal, woken.signal);
    try {
      await this.#clock.sleep(ms, { signal: both });
      return false;
    } catch (error) {
      if (signal.aborted) throw error;
      return true;
    } finally {
      this.#waiters.delete(wake);
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
   */
  watch(pollIntervalMs: number, read: () => Promise<Reading>, listener: ChangeListener, signal: AbortSignal): void {
    const calledAt = this.#clock.now();
    void (async () => {
      let last: string | undefined;
      while (!signal.aborted) {
        const generation = this.#generation;
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
          await this.wait(pollIntervalMs, signal, generation);
        } catch {
          return; // the watch ended
        }
      }
    })();
  }

  close(): void {
    this.#unsubscribe();
    this.#wake();
  }

  #wake(): void {
    this.#generation++;
    for (const wake of [...this.#waiters]) wake();
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
