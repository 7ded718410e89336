import type { Logger } from 'pino';
import type { Backend, Member } from '../contract/contract.js';
import { SerialReader } from '../owned-items/serial-reader.js';
import { pause } from '../owned-items/wakeup.js';
import type { Clock } from '../clock.js';
import { readResource, resourcePrefix, type ResourceState } from './resource-layout.js';

/** What a node knows of a resource: its stored state and the live members. */
export interface ResourceView {
  readonly state: ResourceState;
  readonly members: readonly Member[];
}

export interface ResourceWatcherOptions {
  readonly backend: Backend;
  readonly resource: string;
  readonly partitions: number;
  readonly clock: Clock;
  /** Pause before reading again after a failed read, on the monotonic clock. */
  readonly retryMs: number;
  /**
   * Period of a re-read nothing asked for, on the monotonic clock: bounds how long a missed
   * watch hint leaves this node's view (and so who leads which partition) stale.
   */
  readonly safetyNetMs: number;
  readonly log: Logger;
  /** Called with every successful reading (possibly unchanged). */
  readonly onView: (view: ResourceView) => void;
}

/**
 * Follows one resource (placement, flag, keys) and the live members through two watches, with a
 * re-read every `safetyNetMs` as a safety net. Reads never overlap and failed reads are retried
 * (SerialReader).
 */
export class ResourceWatcher {
  readonly #o: ResourceWatcherOptions;
  readonly #reader: SerialReader;

  constructor(options: ResourceWatcherOptions) {
    this.#o = options;
    this.#reader = new SerialReader({ ...options, what: 'partition resource', read: (signal) => this.#read(signal) });
  }

  /**
   * Watches until `signal` aborts. Resolves after the first reading succeeded or failed: a store
   * outage at start-up is retried in the background and never holds the node's start-up.
   */
  async start(signal: AbortSignal): Promise<void> {
    void this.#watch(signal);
    await this.#reader.start(signal);
  }

  /** Reads again (joins a read in progress, then reads once more). */
  refresh(signal: AbortSignal): Promise<void> {
    return this.#reader.refresh(signal);
  }

  /**
   * Registers both watches; a store that refuses the registration (unreachable) is asked again
   * every `retryMs` until it accepts, then the resource is read once more.
   */
  async #watch(signal: AbortSignal): Promise<void> {
    const { backend, resource, log } = this.#o;
    const hint = () => void this.refresh(signal);
    let kvWatched = false;
    for (let attempt = 0; !signal.aborted; attempt++) {
      try {
        if (!kvWatched) backend.kv.watch(resourcePrefix(resource), hint, { signal });
        kvWatched = true;
        backend.watchMembers(hint, { signal });
        // Changes made while the watches were missing would go unnoticed: read once more.
        if (attempt > 0) hint();
        return;
      } catch (error) {
        log.warn({ err: error }, `cannot watch the partition resource; retrying in ${this.#o.retryMs} ms`);
        await pause(this.#o.clock, this.#o.retryMs, signal);
      }
    }
  }

  async #read(signal: AbortSignal): Promise<void> {
    const { backend, resource, partitions, log } = this.#o;
    const [state, members] = await Promise.all([
      readResource(backend.kv, resource, partitions, (e) => log.warn({ key: e.key, err: e }, 'corrupt partition document; ignored until the leader repairs it'), signal),
      backend.members({ signal }),
    ]);
    if (!signal.aborted) this.#o.onView({ state, members });
  }
}
