/**
 * The node's half of the two-step handoff (docs/safety.md rule 8), for any set of items
 * (buckets, partitions) that each have their own election: a node acts for item i only while it
 * holds the election `electionOf(i)` through its session.
 * 1. The caller says which items this node should hold now (`want`).
 * 2. An item that is no longer wanted is released: its signal aborts, `released` runs and is
 *    awaited (the work must stop), and only then is the election resigned.
 * 3. A wanted item is campaigned for; the store grants it only once the previous holder resigned
 *    or its session died (ZooKeeper: ephemeral node gone; SQL: lease expired on the database
 *    clock, after the old holder's own local deadline). Then `acquired` runs with the term as
 *    fencing token and its fence.
 * So at most one node acts for an item at any time, whatever the callers believe.
 */
import type { Leadership } from '../contract/contract.js';
import { ClosedError, StateError, withoutStack } from '../errors.js';
import { pause } from '../async.js';
import { Permits } from '../permits.js';
import type { Held, ReleaseReason } from '../holding/index.js';
import { HeldItem } from './held-item.js';
import type { ItemElectionsOptions } from './item-campaigns.js';
import { ItemCampaigns } from './item-campaigns.js';

export interface HandoffSlotsOptions<K extends string | number> extends ItemElectionsOptions<K> {
  /** This node won `item`: act for it while `held.signal` has not aborted. */
  readonly acquired: (item: K, held: Held) => void;
  /** Awaited before the election is resigned (the work must have stopped). Errors are logged. */
  readonly released: (item: K, reason: ReleaseReason) => void | Promise<void>;
}

/**
 * Items a close releases at once (stop callbacks running, resigns waiting for the store): a
 * node leaving with tens of thousands of items holds this many releases in memory at a time,
 * not all of them (33,333 at once took its heap to 522 MB on PostgreSQL, issue 12). 1,024 is
 * four full release statements of the SQL backend (ELECTIONS_PER_STATEMENT), so its three
 * statements under way at once always have a next one ready; a stop callback that takes long
 * holds one place of the window, not the others.
 */
export const RELEASES_AT_ONCE = 1_024;

interface Owned {
  readonly kind: 'owned';
  readonly leadership: Leadership;
  /** What `acquired` got; stopping it aborts its signal. */
  readonly held: HeldItem;
  readonly onLost: () => void;
}
/** One object for every item being campaigned for: the campaign's own state is in ItemCampaigns. */
const CAMPAIGNING = Object.freeze({ kind: 'campaign' as const });
type Slot = typeof CAMPAIGNING | Owned | { readonly kind: 'releasing' };

/**
 * Holds the items a node is told to hold, one election per item.
 *
 * @example
 * const slots = new HandoffSlots<number>({ session, clock, log, noun: 'partition',
 *   electionOf: (p) => `partition/orders/${p}`, info: { nodeId: session.nodeId },
 *   acquired: (p, { fence, signal }) => serve(p, fence, signal), released: (p) => drain(p) });
 * slots.want(new Set([3, 7]));
 */
export class HandoffSlots<K extends string | number> {
  readonly #o: HandoffSlotsOptions<K>;
  /** Aborts on close or when the session is lost: nothing new starts after that. */
  readonly #lifetime = new AbortController();
  readonly #campaigns: ItemCampaigns<K>;
  readonly #slots = new Map<K, Slot>();
  readonly #tasks = new Set<Promise<void>>();
  #wanted: ReadonlySet<K> = new Set();
  /** What changed since the last change of `want`, until every wanted item is held (one info line then). */
  #change: { readonly acquired: K[]; readonly released: K[] } | null = null;
  /** Slots of kind 'owned', counted as they change so that checking "all held" is O(1). */
  #ownedCount = 0;
  #closing: Promise<void> | undefined;

  constructor(options: HandoffSlotsOptions<K>) {
    this.#o = options;
    const { session, clock, log, noun, electionOf, info } = options;
    this.#campaigns = new ItemCampaigns<K>({
      session, clock, log, noun, electionOf, info,
      won: (item, leadership) => this.#won(item, leadership),
      giveBack: (item, leadership) => this.#resign(item, leadership),
      ended: (item) => this.#campaignEnded(item),
      track: (task) => this.#track(task),
    });
    const lost = options.session.lost;
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

  /** Aborts when these slots are closed or the session is lost. */
  get lifetime(): AbortSignal {
    return this.#lifetime.signal;
  }

  /**
   * Items held now (won, not yet released, and their term still held when asked: judged on the
   * monotonic clock by `held()`, which ends a term past its deadline at once), in no particular
   * order.
   */
  owned(): K[] {
    const owned: K[] = [];
    // A snapshot: a term found over is released (its slot changes) while we look.
    for (const [item, slot] of [...this.#slots]) {
      if (slot.kind === 'owned' && slot.leadership.held()) owned.push(item);
    }
    return owned;
  }

  /**
   * Sets the items this node should hold and brings the slots in line. Logs: one info line per
   * change of the set and one once it is held (each item's own acquire and release at debug).
   */
  want(items: ReadonlySet<K>): void {
    const adding = [...items].filter((i) => !this.#wanted.has(i));
    const removing = [...this.#wanted].filter((i) => !items.has(i));
    this.#wanted = items;
    if (adding.length > 0 || removing.length > 0) {
      const { noun } = this.#o;
      this.#o.log.info({ adding: sorted(adding), removing: sorted(removing), wanted: items.size }, `${noun}s to hold changed: +${adding.length} -${removing.length}, ${items.size} wanted`);
      this.#change = { acquired: [], released: [] };
    }
    this.#reconcile();
  }

  /**
   * Releases everything (awaiting released, then resigning) and stops campaigning. Idempotent.
   * The items are released RELEASES_AT_ONCE at a time, the next one starting as soon as one is
   * done; an item waiting for its turn is still held (its session lives, its work goes on). A
   * session lost meanwhile releases every item left at once (its stop callbacks must run before
   * its deadline: the constructor's onLost), and their turns then find nothing to do.
   */
  close(): Promise<void> {
    this.#closing ??= (async () => {
      const closed = new ClosedError(`${this.#o.noun} handoff`);
      this.#lifetime.abort(closed);
      this.#campaigns.stopAll(closed);
      const owned = [...this.#slots].filter((entry): entry is [K, Owned] => entry[1].kind === 'owned');
      const window = new Permits(RELEASES_AT_ONCE);
      const never = new AbortController().signal;
      for (const [item, slot] of owned) {
        const done = await window.acquire(never);
        this.#track(this.#release(item, slot, 'closed').finally(() => done?.()));
      }
      while (this.#tasks.size > 0) await Promise.all(this.#tasks);
    })();
    return this.#closing;
  }

  /** Releases what is not wanted (everything once the lifetime ended), campaigns for the rest. */
  #reconcile(): void {
    for (const item of [...this.#slots.keys()]) this.#reconcileItem(item);
    if (this.#lifetime.signal.aborted) return;
    for (const item of this.#wanted) this.#reconcileItem(item);
    this.#reportSettled();
  }

  /**
   * Brings one item in line: releases it (or stops its campaign) when it is not wanted or the
   * lifetime ended, else campaigns for it if nothing is under way. An item whose campaign or
   * release just ended needs only this, not a pass over every item: with n items that pass,
   * once per item, would be O(n²).
   */
  #reconcileItem(item: K): void {
    const ended = this.#lifetime.signal.aborted;
    const slot = this.#slots.get(item);
    const keep = !ended && this.#wanted.has(item);
    if (slot === undefined) {
      if (keep) this.#startCampaign(item);
    } else if (!keep && slot.kind === 'campaign') {
      this.#campaigns.stop(item, withoutStack(() => new StateError(`${this.#o.noun} ${item} is not wanted here any more`)));
    } else if (!keep && slot.kind === 'owned') {
      this.#track(this.#release(item, slot, ended ? 'lost' : 'moved'));
    }
  }

  /**
   * The info line of a change, once every wanted item is held and nothing else is (every slot
   * owned, as many as wanted: an unwanted owned item is released and a missing wanted one
   * campaigned for as soon as the set changes). O(1): called after each acquisition and release.
   */
  #reportSettled(): void {
    const change = this.#change;
    if (change === null || this.#ownedCount !== this.#wanted.size || this.#slots.size !== this.#wanted.size) return;
    this.#change = null;
    const { noun } = this.#o;
    this.#o.log.info(
      { holding: this.#wanted.size, acquired: sorted(change.acquired), released: sorted(change.released) },
      `${noun}s held: ${this.#wanted.size} (acquired ${change.acquired.length}, released ${change.released.length})`,
    );
  }

  #startCampaign(item: K): void {
    this.#slots.set(item, CAMPAIGNING);
    this.#campaigns.start(item);
  }

  /** A campaign won: own the item (true), or campaign again when its term had already ended. */
  #won(item: K, leadership: Leadership): boolean {
    if (!this.#own(item, leadership)) return false;
    this.#reportSettled();
    return true;
  }

  /** A campaign ended without winning: the item is free to campaign for again if still wanted. */
  #campaignEnded(item: K): void {
    if (this.#slots.get(item) === CAMPAIGNING) this.#slots.delete(item);
    this.#reconcileItem(item);
  }

  /**
   * Step 3 done: record the term and tell the caller; a term that ends releases it. False (and
   * nothing started) when the term is no longer held: it ended between the take and reading
   * its answer (a pause longer than renewDeadlineMs). The check is made right before acquired
   * with nothing in between that waits, so acquired never sees an ended term; such a term was
   * never started, so it gets no released, and its lease is left to expire (docs/safety.md rule 5).
   */
  #own(item: K, leadership: Leadership): boolean {
    const { log, noun } = this.#o;
    if (!leadership.held()) {
      log.warn({ [noun]: item, token: leadership.term }, `${noun} won with a term that had already ended; campaigning again`);
      return false;
    }
    const slot: Owned = { kind: 'owned', leadership, held: new HeldItem(leadership), onLost: () => this.#track(this.#releaseLost(item, slot)) };
    this.#slots.set(item, slot);
    this.#ownedCount += 1;
    // Listening before acquired: a term found over while acquired runs is released too.
    leadership.signal.addEventListener('abort', slot.onLost, { once: true });
    log.debug({ [noun]: item, token: leadership.term }, `${noun} acquired`);
    this.#change?.acquired.push(item);
    this.#o.acquired(item, slot.held);
    // A change of mind while the campaign ran (unwanted now) releases at once.
    if (!this.#wanted.has(item)) this.#reconcileItem(item);
    return true;
  }

  /**
   * A term that ended releases its item, one microtask later: the term ends inside its signal's
   * abort listener, and one session loss ends every term of the session from one call. Were
   * released run right there, a listener that asks about holding (`owned()`, `held()`) would
   * end the next term inside it, and so on, one stack frame deeper per item: with thousands of
   * items the stack overflows. The holding already reads as ended (`held()` is false, the held
   * item's signal is aborted when read), so nothing acts for the item meanwhile.
   */
  async #releaseLost(item: K, slot: Owned): Promise<void> {
    await Promise.resolve();
    await this.#release(item, slot, 'lost');
  }

  /** Step 2: stop the work (signal, awaited released), then resign so a successor may start. */
  async #release(item: K, slot: Owned, reason: ReleaseReason): Promise<void> {
    const { log, noun } = this.#o;
    if (this.#slots.get(item) !== slot) return;
    this.#slots.set(item, { kind: 'releasing' });
    this.#ownedCount -= 1;
    slot.leadership.signal.removeEventListener('abort', slot.onLost);
    // Expected, once per item (a leave of 33,333 items): an abort reason without a stack (errors.ts withoutStack).
    slot.held.stop(withoutStack(() => new StateError(`${noun} ${item} released: ${reason}`)));
    try {
      await this.#o.released(item, reason);
    } catch (error) {
      log.error({ [noun]: item, err: error }, `${noun} stop callback failed`);
    }
    log.debug({ [noun]: item, token: slot.leadership.term, reason }, `${noun} released`);
    this.#change?.released.push(item);
    await this.#resign(item, slot.leadership);
    this.#slots.delete(item);
    this.#reconcileItem(item);
    this.#reportSettled();
  }

  /** Resigns, retrying while the store is unreachable, until the term is gone either way. */
  async #resign(item: K, leadership: Leadership): Promise<void> {
    const { session, log, clock, noun } = this.#o;
    for (;;) {
      try {
        await leadership.resign();
        return;
      } catch (error) {
        // A lost session or an ended term is no longer renewed: the store lets it expire.
        if (session.lost.aborted || leadership.signal.aborted) return;
        log.warn({ [noun]: item, err: error }, `resigning ${noun} failed; retrying in ${session.timing.retryPeriodMs} ms`);
        await pause(clock, session.timing.retryPeriodMs, session.lost);
      }
    }
  }

  #track(task: Promise<void>): void {
    const tracked = task.catch((error: unknown) => this.#o.log.error({ err: error }, `${this.#o.noun} task failed`));
    this.#tasks.add(tracked);
    void tracked.finally(() => this.#tasks.delete(tracked));
  }
}

/** Items in their natural order (numbers and numeric strings by value), for log lines. */
function sorted<K extends string | number>(items: readonly K[]): K[] {
  return [...items].sort((a, b) => (Number(a) - Number(b)) || String(a).localeCompare(String(b)));
}
