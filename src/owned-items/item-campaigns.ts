/**
 * The campaigns of HandoffSlots (handoff-slots.ts): each wanted item that is not held is
 * campaigned for until it is won or its campaign is stopped, at most MAX_CAMPAIGNS_IN_FLIGHT
 * campaign calls at once, a failed call retried every retry period. What is done with a won
 * term (held, or given back) is the caller's: `won` and `ended` report back.
 */
import type { Logger } from 'pino';
import type { Leadership, Session } from '../contract/contract.js';
import type { JsonObject } from '../contract/json.js';
import type { Clock } from '../clock.js';
import { isBatonError } from '../errors.js';
import { Permits } from '../permits.js';
import { pause } from '../async.js';

/**
 * Campaigns one node runs at once (per HandoffSlots); the rest wait for a permit. The node's
 * one store connection also carries its session's renewal or probe: ZooKeeper answers a
 * session's requests in order, a SQL pool has 4 connections. Thousands of campaigns started at
 * once queued that renewal behind them past renewDeadlineMs (measured: 10,000 buckets on
 * ZooKeeper, the session's probe went unanswered for 20 s, the session was lost, and the next
 * one fared the same). 64 campaigns of a few requests each queue it behind a few hundred
 * requests (milliseconds), while a campaign on a free item takes a few round trips, so a node
 * still takes thousands of items a second. A SQL backend runs fewer of them at once still (its
 * CAMPAIGN_ATTEMPTS_AT_ONCE, under its pool's size); the rest wait there.
 */
export const MAX_CAMPAIGNS_IN_FLIGHT = 64;

/** The reason a campaign call's permit timer is stopped with (one object: no error built per call). */
const CAMPAIGN_SETTLED = Object.freeze({ settled: true });

export interface ItemCampaignsOptions<K extends string | number> {
  readonly session: Session;
  readonly clock: Clock;
  readonly log: Logger;
  /** What an item is called in logs ("bucket", "partition"); also the log field. */
  readonly noun: string;
  readonly electionOf: (item: K) => string;
  /** Published as the holder's info in each election. */
  readonly info: JsonObject;
  /**
   * The campaign for `item` won `leadership` while it was not stopped: true when the item is
   * now held (the campaign ends), false to campaign again after a retry period.
   */
  readonly won: (item: K, leadership: Leadership) => boolean;
  /** The campaign won after it was stopped: give the term back (awaited before `ended`). */
  readonly giveBack: (item: K, leadership: Leadership) => Promise<void>;
  /** The campaign for `item` ended without holding it (stopped, or the session was lost). */
  readonly ended: (item: K) => void;
  /** Runs a task the caller's close waits for. */
  readonly track: (task: Promise<void>) => void;
}

/** The campaigns under way for one HandoffSlots, one per item at most. */
export class ItemCampaigns<K extends string | number> {
  readonly #o: ItemCampaignsOptions<K>;
  readonly #permits = new Permits(MAX_CAMPAIGNS_IN_FLIGHT);
  /** Each campaign's one signal: stopping a campaign aborts it. */
  readonly #running = new Map<K, AbortController>();

  constructor(options: ItemCampaignsOptions<K>) {
    this.#o = options;
  }

  /** Whether a campaign for `item` is under way (not yet won, nor ended). */
  has(item: K): boolean {
    return this.#running.has(item);
  }

  /** Starts campaigning for `item` (nothing when a campaign for it is under way). */
  start(item: K): void {
    if (this.#running.has(item)) return;
    const abort = new AbortController();
    this.#running.set(item, abort);
    this.#o.track(this.#campaign(item, abort.signal));
  }

  /** Stops the campaign for `item`, if any: it ends (`ended`) once its call has returned. */
  stop(item: K, reason: unknown): void {
    const abort = this.#running.get(item);
    if (abort !== undefined && !abort.signal.aborted) abort.abort(reason);
  }

  /** Stops every campaign. */
  stopAll(reason: unknown): void {
    for (const abort of this.#running.values()) if (!abort.signal.aborted) abort.abort(reason);
  }

  /**
   * Campaigns until the item is held or the campaign is stopped. The campaign's own signal is
   * the one signal: stopAll aborts every campaign's, so no signal is combined per item (10,000
   * items each held an AbortSignal.any chain).
   */
  async #campaign(item: K, signal: AbortSignal): Promise<void> {
    const { session, log, clock, noun } = this.#o;
    while (!signal.aborted) {
      try {
        const leadership = await this.#campaignOnce(item, signal);
        if (leadership === null) break;
        if (signal.aborted) {
          await this.#o.giveBack(item, leadership);
          break;
        }
        if (this.#o.won(item, leadership)) {
          this.#running.delete(item);
          return;
        }
        await pause(clock, session.timing.retryPeriodMs, signal);
      } catch (error) {
        if (signal.aborted || isBatonError(error, 'SESSION_LOST')) break;
        log.warn({ [noun]: item, err: error }, `campaign for ${noun} failed; retrying in ${session.timing.retryPeriodMs} ms`);
        await pause(clock, session.timing.retryPeriodMs, signal);
      }
    }
    this.#running.delete(item);
    this.#o.ended(item);
  }

  /**
   * One campaign call, holding one of MAX_CAMPAIGNS_IN_FLIGHT permits while it runs, but for at
   * most one retry period: one that waits longer (the item is still held elsewhere) lets the
   * next one go, so an item held elsewhere never holds up the others. Null when `signal`
   * aborted while waiting for a permit.
   */
  async #campaignOnce(item: K, signal: AbortSignal): Promise<Leadership | null> {
    const { session, clock } = this.#o;
    const release = await this.#permits.acquire(signal);
    if (release === null) return null;
    // The campaign call ends when `signal` aborts, and `settled` with it: no combined signal needed.
    const settled = new AbortController();
    void pause(clock, session.timing.retryPeriodMs, settled.signal).then(release);
    try {
      return await session.campaign(this.#o.electionOf(item), this.#o.info, { signal });
    } finally {
      settled.abort(CAMPAIGN_SETTLED);
    }
  }
}
