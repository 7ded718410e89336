/**
 * Whether this node is draining (issue 19), followed from the store for the node's life: the
 * drain requests (operations/drain/) and the live members, read again on every change of
 * either, and every DRAIN_RECHECK_MS as a safety net against a missed watch hint.
 *
 * It is the elector's campaign hold (CampaignHold): a node that drains by the shared rule
 * (drainingNow: asked, and some other live node was not) does not campaign, and steps down if
 * it leads, so the cluster leadership moves to a node that stays. The leader's placement reads
 * the same requests and moves the node's items by the same rule.
 */
import type { Logger } from 'pino';
import { anySignal, pause } from '../async.js';
import type { Clock } from '../clock.js';
import type { Backend, WatchOptions } from '../contract/contract.js';
import type { CampaignHold } from '../election/index.js';
import { DRAIN_PREFIX, drainingNow, readDrainRequests, type DrainRequest } from '../operations/index.js';
import { SerialReader } from '../owned-items/serial-reader.js';

/**
 * Safety-net period of the re-read, on the node's monotonic clock: bounds how long a missed
 * watch hint keeps a draining node campaigning (or a cancelled one from campaigning). 5 s, the
 * scale on which the leader re-checks members (MEMBERS_RECHECK_MS); one list and one members
 * read per period and node.
 */
export const DRAIN_RECHECK_MS = 5_000;

export interface DrainWatchOptions {
  readonly backend: Backend;
  readonly nodeId: string;
  readonly clock: Clock;
  readonly log: Logger;
  /** Pause before registering the watches again, or reading again, after a failure (ms). */
  readonly retryMs: number;
}

export class DrainWatch implements CampaignHold {
  readonly #o: DrainWatchOptions;
  readonly #reader: SerialReader;
  readonly #listeners = new Set<() => void>();
  #requests: ReadonlyMap<string, DrainRequest> = new Map();
  #draining = false;

  constructor(options: DrainWatchOptions) {
    this.#o = options;
    this.#reader = new SerialReader({
      clock: options.clock,
      retryMs: options.retryMs,
      log: options.log,
      what: 'drain requests',
      safetyNetMs: DRAIN_RECHECK_MS,
      read: (signal) => this.#read(signal),
    });
  }

  /** Follows the requests until `signal` aborts; resolves after the first reading (successful or not). */
  async start(signal: AbortSignal): Promise<void> {
    void this.#watch(signal);
    await this.#reader.start(signal);
  }

  /** This node's stored drain request, as last read (null: none). */
  request(): DrainRequest | null {
    return this.#requests.get(this.#o.nodeId) ?? null;
  }

  /** Whether the node drains now (asked, and some other live node was not): it does not campaign. */
  held(): boolean {
    return this.#draining;
  }

  onChange(listener: () => void, { signal }: WatchOptions): void {
    if (signal.aborted) return;
    this.#listeners.add(listener);
    signal.addEventListener('abort', () => this.#listeners.delete(listener), { once: true });
  }

  /** Reads again now (after this node wrote or deleted its own request). */
  refresh(signal: AbortSignal): Promise<void> {
    return this.#reader.refresh(signal);
  }

  async #read(signal: AbortSignal): Promise<void> {
    const { backend, nodeId, log } = this.#o;
    const [requests, members] = await Promise.all([readDrainRequests(backend.kv, { signal }), backend.members({ signal })]);
    this.#requests = requests;
    const draining = drainingNow(members.map((m) => m.nodeId), requests).has(nodeId);
    if (draining === this.#draining) return;
    this.#draining = draining;
    log.info({ reason: draining ? 'drain requested' : 'drain ended', draining, request: requests.get(nodeId) ?? null }, draining ? 'draining: handing over the cluster leadership and items' : 'not draining');
    for (const listener of [...this.#listeners]) listener();
  }

  /** Registers the watches, again every retry period until the store accepts them (then reads once more). */
  async #watch(signal: AbortSignal): Promise<void> {
    const { backend, log, clock, retryMs } = this.#o;
    const hint = () => void this.#reader.refresh(signal);
    for (let attempt = 0; !signal.aborted; attempt++) {
      const round = new AbortController();
      const roundSignal = anySignal(signal, round.signal);
      try {
        backend.kv.watch(DRAIN_PREFIX, hint, { signal: roundSignal });
        backend.watchMembers(hint, { signal: roundSignal });
        if (attempt > 0) hint();
        return;
      } catch (error) {
        round.abort();
        log.warn({ err: error }, `cannot watch the drain requests; retrying in ${retryMs} ms`);
        await pause(clock, retryMs, signal);
      }
    }
  }
}
