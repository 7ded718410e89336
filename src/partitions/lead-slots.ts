/**
 * The two-step handoff (DESIGN.md, safety model 4) for a set of per-item elections, the same
 * protocol BucketOwner follows for buckets: a node acts for item i only while it holds the
 * election `electionOf(i)` through its session.
 * 1. The caller says which items this node should lead now (`want`).
 * 2. An item that is no longer wanted is released: its signal aborts, `onStopped` runs and is
 *    awaited (the work must stop), and only then is the election resigned.
 * 3. A wanted item is campaigned for; the store grants it only once the previous holder resigned
 *    or its session died. Then `onStarted` runs with the term as fencing token.
 * So at most one node acts for an item at any time, whatever the callers believe.
 */
import { getMaxListeners, setMaxListeners } from 'node:events';
import type { Logger } from 'pino';
import type { Leadership, Session } from '../backend/contract.js';
import type { JsonObject } from '../backend/json.js';
import { pause } from '../buckets/wakeup.js';
import type { Clock } from '../clock.js';
import { ClosedError, StateError, isBatonError } from '../errors.js';

/** What the holder of an item gets: the fencing token, and a signal that aborts when it ends. */
export interface HeldItem {
  readonly token: number;
  readonly signal: AbortSignal;
}

/** Why an item was let go: not wanted here any more, its term or session ended, or closing. */
export type StopReason = 'moved' | 'lost' | 'closed';

export interface LeadSlotsOptions {
  readonly session: Session;
  readonly clock: Clock;
  readonly log: Logger;
  readonly electionOf: (item: number) => string;
  /** How many items may be campaigned for at once (the partition count). */
  readonly maxItems: number;
  /** Published as the holder's info in each election. */
  readonly info: JsonObject;
  readonly onStarted: (item: number, held: HeldItem) => void;
  /** Awaited before the election is resigned. Must not throw (errors are logged). */
  readonly onStopped: (item: number, reason: StopReason) => void | Promise<void>;
}

/** Listeners the session's features other than these campaigns may add to its `lost` signal. */
const SESSION_OWN_LISTENERS = 32;

interface Owned {
  readonly kind: 'owned';
  readonly leadership: Leadership;
  readonly stop: AbortController;
  readonly onLost: () => void;
}
type Slot = { readonly kind: 'campaign'; readonly abort: AbortController } | Owned | { readonly kind: 'releasing' };

export class LeadSlots {
  readonly #o: LeadSlotsOptions;
  /** Aborts on close or when the session is lost: nothing new starts after that. */
  readonly #lifetime = new AbortController();
  readonly #slots = new Map<number, Slot>();
  readonly #tasks = new Set<Promise<void>>();
  #wanted: ReadonlySet<number> = new Set();
  #closing: Promise<void> | undefined;

  constructor(options: LeadSlotsOptions) {
    this.#o = options;
    const lost = options.session.lost;
    // Each waiting campaign may listen on the session's signal (the backends race every wait
    // against it): up to one listener per item, plus a few of the session's own.
    const wanted = options.maxItems + SESSION_OWN_LISTENERS;
    const current = getMaxListeners(lost);
    if (current !== 0 && current < wanted) setMaxListeners(wanted, lost);
    // A lost session releases everything at once, even before each term's own signal says so.
    const onLost = () => {
      this.#lifetime.abort(lost.reason);
      this.#reconcile();
    };
    if (lost.aborted) onLost();
    else {
      lost.addEventListener('abort', onLost, { once: true });
      this.#lifetime.signal.addEventListener('abort', () => lost.removeEventListener('abort', onLost), { once: true });
    }
  }

  /** Items held now (won and not yet released). */
  owned(): number[] {
    return [...this.#slots].filter(([, slot]) => slot.kind === 'owned').map(([item]) => item).sort((a, b) => a - b);
  }

  /** Sets the items this node should lead and brings the slots in line. */
  want(items: ReadonlySet<number>): void {
    this.#wanted = items;
    this.#reconcile();
  }

  /** Releases everything (awaiting onStopped, then resigning) and stops campaigning. Idempotent. */
  close(): Promise<void> {
    this.#closing ??= (async () => {
      this.#lifetime.abort(new ClosedError('partition leadership'));
      for (const [item, slot] of this.#slots) {
        if (slot.kind === 'owned') this.#track(this.#release(item, slot, 'closed'));
        if (slot.kind === 'campaign') slot.abort.abort(new ClosedError('partition leadership'));
      }
      while (this.#tasks.size > 0) await Promise.all(this.#tasks);
    })();
    return this.#closing;
  }

  #reconcile(): void {
    for (const [item, slot] of this.#slots) {
      if (this.#wanted.has(item) && !this.#lifetime.signal.aborted) continue;
      if (slot.kind === 'campaign') slot.abort.abort(new StateError(`partition ${item} is not wanted here any more`));
      if (slot.kind === 'owned') this.#track(this.#release(item, slot, this.#lifetime.signal.aborted ? 'lost' : 'moved'));
    }
    if (this.#lifetime.signal.aborted) return;
    for (const item of this.#wanted) {
      if (this.#slots.has(item)) continue;
      const slot = { kind: 'campaign', abort: new AbortController() } as const;
      this.#slots.set(item, slot);
      this.#track(this.#campaign(item, slot));
    }
  }

  async #campaign(item: number, slot: Slot & { kind: 'campaign' }): Promise<void> {
    const { session, log, clock } = this.#o;
    const signal = AbortSignal.any([slot.abort.signal, this.#lifetime.signal]);
    while (!signal.aborted) {
      try {
        const leadership = await session.campaign(this.#o.electionOf(item), this.#o.info, { signal });
        if (signal.aborted) {
          await this.#resign(item, leadership);
          break;
        }
        this.#own(item, leadership);
        return;
      } catch (error) {
        if (signal.aborted || isBatonError(error, 'SESSION_LOST')) break;
        log.warn({ partition: item, err: error }, `campaign for partition failed; retrying in ${session.timing.retryPeriodMs} ms`);
        await pause(clock, session.timing.retryPeriodMs, signal);
      }
    }
    if (this.#slots.get(item) === slot) this.#slots.delete(item);
    this.#reconcile();
  }

  /** Step 3 done: record the term and tell the caller; a term that ends releases it. */
  #own(item: number, leadership: Leadership): void {
    const stop = new AbortController();
    const slot: Owned = { kind: 'owned', leadership, stop, onLost: () => this.#track(this.#release(item, slot, 'lost')) };
    this.#slots.set(item, slot);
    this.#o.log.info({ partition: item, token: leadership.term }, 'partition leadership started');
    this.#o.onStarted(item, { token: leadership.term, signal: stop.signal });
    if (leadership.signal.aborted) slot.onLost();
    else leadership.signal.addEventListener('abort', slot.onLost, { once: true });
    // A change of mind while the campaign ran (unwanted now) releases at once.
    if (!this.#wanted.has(item)) this.#reconcile();
  }

  /** Step 2: stop the work (signal, awaited onStopped), then resign so a successor may start. */
  async #release(item: number, slot: Owned, reason: StopReason): Promise<void> {
    if (this.#slots.get(item) !== slot) return;
    this.#slots.set(item, { kind: 'releasing' });
    slot.leadership.signal.removeEventListener('abort', slot.onLost);
    slot.stop.abort(new StateError(`partition ${item} released: ${reason}`));
    try {
      await this.#o.onStopped(item, reason);
    } catch (error) {
      this.#o.log.error({ partition: item, err: error }, 'partition stop callback failed');
    }
    this.#o.log.info({ partition: item, token: slot.leadership.term, reason }, 'partition leadership stopped');
    await this.#resign(item, slot.leadership);
    this.#slots.delete(item);
    this.#reconcile();
  }

  /** Resigns, retrying while the store is unreachable, until the term is gone either way. */
  async #resign(item: number, leadership: Leadership): Promise<void> {
    const { session, log, clock } = this.#o;
    for (;;) {
      try {
        await leadership.resign();
        return;
      } catch (error) {
        // A lost session or an ended term is no longer renewed: the store lets it expire.
        if (session.lost.aborted || leadership.signal.aborted) return;
        log.warn({ partition: item, err: error }, `resigning partition failed; retrying in ${session.timing.retryPeriodMs} ms`);
        await pause(clock, session.timing.retryPeriodMs, session.lost);
      }
    }
  }

  #track(task: Promise<void>): void {
    const tracked = task.catch((error: unknown) => this.#o.log.error({ err: error }, 'partition task failed'));
    this.#tasks.add(tracked);
    void tracked.finally(() => this.#tasks.delete(tracked));
  }
}
