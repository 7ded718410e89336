/**
 * Every node's half of the owned-items engine, for one session: follows what the node should
 * hold (its stored target, through KV and member watches with a periodic re-read as safety net)
 * and holds exactly that through the two-step handoff (HandoffSlots, docs/safety.md rule 8):
 * 1. The leader moves item I by writing the placement.
 * 2. The old holder sees I leave what it should hold: it aborts I's signal, runs the `released`
 *    listeners and awaits them (the work must stop), and only then resigns I's election.
 * 3. The new holder campaigns for I's election; the store grants it only once the old holder
 *    resigned or its session died. Then it runs the `acquired` listeners.
 */
import type { Logger } from 'pino';
import type { Backend, Session } from '../contract/contract.js';
import type { Clock } from '../clock.js';
import { ClosedError, isBatonError, type CorruptDocumentError } from '../errors.js';
import type { Held, ReleaseReason } from '../holding/index.js';
import { HandoffSlots } from './handoff-slots.js';
import type { OwnedItemsLayout } from './layout.js';
import { SerialReader } from './serial-reader.js';
import { anySignal, pause } from '../async.js';

export interface ItemFollowerOptions<K extends string | number, V> {
  readonly backend: Backend;
  /** The node's session: item elections are held through it and end with it. */
  readonly session: Session;
  readonly layout: OwnedItemsLayout<K, unknown, V>;
  readonly clock: Clock;
  readonly log: Logger;
  /** Period of a re-read nothing asked for (monotonic ms): bounds how long a missed watch hint leaves the view stale. */
  readonly safetyNetMs: number;
  /** Whether this node leads the cluster now (asked at every reconcile). */
  readonly leadsCluster: () => boolean;
  readonly acquired: (item: K, held: Held) => void;
  /** Awaited before the item's election is resigned. */
  readonly released: (item: K, reason: ReleaseReason) => void | Promise<void>;
  readonly onCorrupt?: (error: CorruptDocumentError) => void;
}

/** Follows and holds one node's items for one session. */
export class ItemFollower<K extends string | number, V> {
  readonly #o: ItemFollowerOptions<K, V>;
  readonly #slots: HandoffSlots<K>;
  /** Aborts on close: the watches and re-reads end with it (or with the session). */
  readonly #closed = new AbortController();
  readonly #reader: SerialReader;
  #view: V | null = null;

  constructor(options: ItemFollowerOptions<K, V>) {
    this.#o = options;
    const { session, layout, log } = options;
    this.#slots = new HandoffSlots<K>({
      session,
      clock: options.clock,
      log,
      noun: layout.noun,
      electionOf: (item) => layout.electionOf(item),
      info: { nodeId: session.nodeId },
      acquired: options.acquired,
      released: options.released,
    });
    this.#reader = new SerialReader({
      clock: options.clock,
      retryMs: session.timing.retryPeriodMs,
      log,
      what: `${layout.noun} target`,
      safetyNetMs: options.safetyNetMs,
      read: (signal) => this.#read(signal),
    });
  }

  /** What this node last read (null before the first reading). */
  view(): V | null {
    return this.#view;
  }

  /** Items held now (their terms judged when asked), in no particular order. */
  owned(): K[] {
    return this.#slots.owned();
  }

  /**
   * Starts following until close or the session's end. Resolves after the first reading,
   * successful or not (a failed read is retried in the background), so a store outage cannot
   * hold up start-up.
   */
  async start(): Promise<void> {
    const signal = anySignal(this.#closed.signal, this.#slots.lifetime);
    // A suspended or lost session may change what the node should hold (partitions drop all).
    this.#o.session.onStateChange(() => this.reconcile(), { signal });
    void this.#watch(signal);
    await this.#reader.start(signal);
  }

  /** Brings the held items in line with the last view (also when this node's cluster leadership changed). */
  reconcile(): void {
    const view = this.#view;
    if (view === null || this.#closed.signal.aborted) return;
    const { session, layout } = this.#o;
    this.#slots.want(layout.wanted(view, { nodeId: session.nodeId, sessionLive: session.state === 'live', leadsCluster: this.#o.leadsCluster() }));
  }

  /** Releases every item (listeners awaited, then resigned) and stops following. Idempotent. */
  async close(): Promise<void> {
    this.#closed.abort(new ClosedError(`${this.#o.layout.noun} follower`));
    await this.#slots.close();
  }

  /**
   * Registers the watches; a store that refuses the registration (unreachable) is asked again
   * every retry period until it accepts, then the target is read once more.
   */
  async #watch(signal: AbortSignal): Promise<void> {
    const { backend, session, layout, log, clock } = this.#o;
    const hint = () => void this.#reader.refresh(signal);
    const retryMs = session.timing.retryPeriodMs;
    const prefixes = [...layout.watchPrefixes(session.nodeId)];
    for (let attempt = 0; !signal.aborted; attempt++) {
      try {
        while (prefixes.length > 0) {
          backend.kv.watch(prefixes[0] as string, hint, { signal });
          prefixes.shift();
        }
        if (layout.watchesMembers) backend.watchMembers(hint, { signal });
        // Changes made while the watches were missing would go unnoticed: read once more.
        if (attempt > 0) hint();
        return;
      } catch (error) {
        log.warn({ err: error }, `cannot watch the ${layout.noun} target; retrying in ${retryMs} ms`);
        await pause(clock, retryMs, signal);
      }
    }
  }

  async #read(signal: AbortSignal): Promise<void> {
    const { backend, session, layout, log } = this.#o;
    try {
      const view = await layout.readView(backend, session.nodeId, (e) => this.#reportCorrupt(e), signal);
      if (signal.aborted) return;
      this.#view = view;
      this.reconcile();
    } catch (error) {
      if (signal.aborted || !isBatonError(error, 'CORRUPT_DOCUMENT')) throw error;
      // Keep the current view: the leader rewrites the document, and the watch fires then.
      log.warn({ key: (error as CorruptDocumentError).key, err: error }, `own ${layout.noun} target is corrupt; keeping the current one until the leader repairs it`);
      this.#o.onCorrupt?.(error as CorruptDocumentError);
    }
  }

  #reportCorrupt(error: CorruptDocumentError): void {
    this.#o.log.warn({ key: error.key, err: error }, `corrupt ${this.#o.layout.noun} document; ignored until the leader repairs it`);
    this.#o.onCorrupt?.(error);
  }
}
