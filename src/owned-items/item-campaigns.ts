/**
 * The campaigns of HandoffSlots (handoff-slots.ts): each wanted item that is not held is
 * campaigned for until it is won or its campaign is stopped, at most MAX_CAMPAIGNS_IN_FLIGHT
 * campaign calls at once, a failed call retried every retry period. What is done with a won
 * term (held, or given back) is the caller's: `won` and `ended` report back.
 *
 * An item waiting for a permit is only its id in a queue: its campaign's signal, promise and
 * timers are made when it gets one. A node told to take 10,000 items at once kept 10,000 live
 * campaigns (an AbortController, an async function's state, a permit waiter and its listener
 * each) until the last one ran, and V8 promoted them into old space (issue 12: the RSS an idle
 * node kept after placing).
 */
import type { Logger } from 'pino';
import type { Leadership, Session } from '../contract/contract.js';
import type { JsonObject } from '../contract/json.js';
import type { Clock } from '../clock.js';
import { isBatonError } from '../errors.js';
import { pause } from '../async.js';
import { IdQueue } from '../id-queue.js';

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

/** The reason the permits' timer is stopped with once no permit is taken (one object: no error built). */
const NO_PERMIT_TAKEN = Object.freeze({ noPermitTaken: true });

/** A permit taken by a campaign call, until the call settles or `dueAt` (monotonic ms) passes. */
interface Permit {
  readonly dueAt: number;
}

/** What HandoffSlots and its ItemCampaigns both take: whose campaigns they are, for which elections. */
export interface ItemElectionsOptions<K extends string | number> {
  readonly session: Session;
  readonly clock: Clock;
  readonly log: Logger;
  /** What an item is called in logs and errors ("bucket", "partition"); also the log field. */
  readonly noun: string;
  readonly electionOf: (item: K) => string;
  /** Published as the holder's info in each election. */
  readonly info: JsonObject;
}

export interface ItemCampaignsOptions<K extends string | number> extends ItemElectionsOptions<K> {
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

/**
 * The campaigns for one HandoffSlots, one per item at most:
 * 1. `start` puts the item at the end of the queue.
 * 2. While fewer than MAX_CAMPAIGNS_IN_FLIGHT permits are taken, the first queued item takes one
 *    and its campaign call runs, with its own signal (stopping the campaign aborts it).
 * 3. The permit passes on once the call settles or one retry period has passed, whichever
 *    comes first: an item still held elsewhere waits on in its call without holding up others.
 *    Every permit lasts the same retry period, so they run out in the order they were taken:
 *    one timer, on the oldest permit, serves them all (a timer per call, stopped when the call
 *    settled, cost an AbortController, an abort event and an AbortedError per campaign: 2-3% of
 *    a 10 x 10,000 cold start's node CPU on PostgreSQL).
 * 4. A won term goes to `won`; a failed call (or a term `won` refused) is tried again after a
 *    retry period, from the end of the queue; a stopped campaign ends with `ended`.
 */
export class ItemCampaigns<K extends string | number> {
  readonly #o: ItemCampaignsOptions<K>;
  /** Items waiting for a permit, in arrival order. */
  readonly #queue = new IdQueue<K>();
  /** Campaigns past the queue (calling, or pausing before a retry): each one's own signal. */
  readonly #running = new Map<K, AbortController>();
  /** Permits taken (at most MAX_CAMPAIGNS_IN_FLIGHT), oldest first. */
  readonly #permits = new IdQueue<Permit>();
  /** Stops the timer that runs out the oldest permit (null: no timer running). */
  #permitTimer: AbortController | null = null;

  constructor(options: ItemCampaignsOptions<K>) {
    this.#o = options;
  }

  /** Whether a campaign for `item` is under way (queued or running; not yet won, nor ended). */
  has(item: K): boolean {
    return this.#queue.has(item) || this.#running.has(item);
  }

  /** Campaigns under way: queued for a permit, and past the queue (for tests and metrics). */
  counts(): { readonly queued: number; readonly running: number } {
    return { queued: this.#queue.size, running: this.#running.size };
  }

  /** Starts campaigning for `item` (nothing when a campaign for it is under way). */
  start(item: K): void {
    if (this.has(item)) return;
    this.#queue.add(item);
    this.#admit();
  }

  /**
   * Stops the campaign for `item`, if any. A queued one ends at once (`ended` before this
   * returns); a running one once its call or pause has returned.
   */
  stop(item: K, reason: unknown): void {
    if (this.#queue.delete(item)) {
      this.#o.ended(item);
      return;
    }
    const abort = this.#running.get(item);
    if (abort !== undefined && !abort.signal.aborted) abort.abort(reason);
  }

  /** Stops every campaign. */
  stopAll(reason: unknown): void {
    for (const item of this.#queue.drain()) this.#o.ended(item);
    for (const abort of this.#running.values()) if (!abort.signal.aborted) abort.abort(reason);
  }

  /** Step 2: runs queued campaigns while permits are free. */
  #admit(): void {
    while (this.#permits.size < MAX_CAMPAIGNS_IN_FLIGHT && this.#queue.size > 0) {
      const item = this.#queue.shift() as K;
      const permit: Permit = { dueAt: this.#o.clock.now() + this.#o.session.timing.retryPeriodMs };
      this.#permits.add(permit);
      if (this.#permitTimer === null || this.#permitTimer.signal.aborted) void this.#runOutPermits();
      const abort = new AbortController();
      this.#running.set(item, abort);
      this.#o.track(this.#campaign(item, abort.signal, permit));
    }
  }

  /** Step 3: gives a permit back (nothing when it was already) and lets the next queued campaign run. */
  #release(permit: Permit): void {
    if (!this.#permits.delete(permit)) return;
    if (this.#permits.size === 0) this.#permitTimer?.abort(NO_PERMIT_TAKEN);
    this.#admit();
  }

  /** Step 3's timer: releases the oldest permit when its retry period has passed, until none is taken. */
  async #runOutPermits(): Promise<void> {
    const { clock } = this.#o;
    const stop = new AbortController();
    this.#permitTimer = stop;
    try {
      for (let oldest = this.#permits.peek(); oldest !== undefined && !stop.signal.aborted; oldest = this.#permits.peek()) {
        const waitMs = oldest.dueAt - clock.now();
        if (waitMs > 0 && !(await pause(clock, waitMs, stop.signal))) return;
        if (waitMs <= 0) this.#release(oldest);
      }
    } finally {
      if (this.#permitTimer === stop) this.#permitTimer = null;
    }
  }

  /**
   * One campaign call with a permit (steps 3 and 4). The campaign's own signal is the one
   * signal: stopAll aborts every campaign's, so no signal is combined per item (10,000 items
   * each held an AbortSignal.any chain).
   */
  async #campaign(item: K, signal: AbortSignal, permit: Permit): Promise<void> {
    const { session, log, clock, noun } = this.#o;
    let retry = true;
    try {
      const leadership = await session.campaign(this.#o.electionOf(item), this.#o.info, { signal });
      this.#release(permit);
      if (signal.aborted) {
        retry = false;
        await this.#o.giveBack(item, leadership);
      } else if (this.#o.won(item, leadership)) {
        this.#running.delete(item);
        return;
      }
    } catch (error) {
      this.#release(permit);
      retry = !signal.aborted && !isBatonError(error, 'SESSION_LOST');
      if (retry) log.warn({ [noun]: item, err: error }, `campaign for ${noun} failed; retrying in ${session.timing.retryPeriodMs} ms`);
    }
    if (retry && (await pause(clock, session.timing.retryPeriodMs, signal))) {
      // Step 4: back to the end of the queue, its signal dropped.
      this.#running.delete(item);
      this.#queue.add(item);
      this.#admit();
      return;
    }
    this.#running.delete(item);
    this.#o.ended(item);
  }
}
