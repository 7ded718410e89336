/**
 * The operator's verbs as metrics, read from the store when scraped (the operator acts through
 * the CLI or any node, so no process sees every action happen):
 *
 *   baton_maintenance                 1 while maintenance mode is on (not expired), else 0
 *   baton_operator_actions_total      actions in the cluster's action log, by verb, counted by
 *                                     this node from its first scrape on (actions logged before
 *                                     it started count at that first scrape)
 *
 * A scrape while the store is unreachable leaves both as they were.
 */
import { Counter, Gauge, type Registry } from 'prom-client';
import type { Kv } from '../contract/contract.js';
import { readActions, readMaintenance, type OperatorAction } from '../operations/index.js';

/**
 * How long a scrape waits for the store (ms, timer): scrapers time out after ~10 s by default,
 * and the rest of the registry must still be answered when the store hangs.
 */
const SCRAPE_READ_TIMEOUT_MS = 2_000;

export class OperationsMetrics {
  readonly #kv: () => Kv | null;
  readonly #actions: Counter;
  readonly #maintenance: Gauge;
  /** The last action counted: later scrapes count only what follows it in the log. */
  #lastCounted: string | null = null;
  /** The store read of the scrape under way, shared by both metrics' collect (the registry collects them at once). */
  #reading: Promise<void> | null = null;

  /** `kv()` is the store of the node's current session, or null between sessions. */
  constructor(registry: Registry, kv: () => Kv | null) {
    this.#kv = kv;
    const registers = [registry];
    const read = () => this.#read();
    this.#actions = new Counter({
      name: 'baton_operator_actions_total',
      help: 'Operator actions (drain, leader transfer, maintenance on and off, automatic freezes) in the cluster\'s action log, by verb',
      labelNames: ['verb'],
      registers,
      collect: read,
    });
    this.#maintenance = new Gauge({ name: 'baton_maintenance', help: '1 while maintenance mode (the freeze of every placement move) is on, else 0', registers, collect: read });
  }

  #read(): Promise<void> {
    this.#reading ??= this.#update().finally(() => {
      this.#reading = null;
    });
    return this.#reading;
  }

  async #update(): Promise<void> {
    const store = this.#kv();
    if (store === null) return;
    const signal = AbortSignal.timeout(SCRAPE_READ_TIMEOUT_MS);
    try {
      const [reading, log] = await Promise.all([readMaintenance(store, { signal }), readActions(store, { signal })]);
      this.#maintenance.set(reading.active ? 1 : 0);
      this.#countNew(log);
    } catch {
      // Unreachable store: the values stay as last read; the node's own health says why.
    }
  }

  #countNew(log: readonly OperatorAction[]): void {
    const keys = log.map((action) => JSON.stringify([action.at, action.verb, action.by, action.detail]));
    const seen = this.#lastCounted === null ? -1 : keys.lastIndexOf(this.#lastCounted);
    for (const action of log.slice(seen + 1)) this.#actions.inc({ verb: action.verb });
    if (keys.length > 0) this.#lastCounted = keys[keys.length - 1] ?? null;
  }
}
