import type { Logger } from 'pino';
import type { Backend, Member } from '../backend/contract.js';
import { pause } from '../buckets/wakeup.js';
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
  readonly log: Logger;
  /** Called with every successful reading (possibly unchanged). */
  readonly onView: (view: ResourceView) => void;
}

/**
 * Follows one resource (placement, flag, keys) and the live members through two watches, not by
 * polling here. Reads never overlap: a change noticed during a read triggers one more read after
 * it, so the last reading always reflects the latest change. Failed reads are logged and retried.
 */
export class ResourceWatcher {
  readonly #o: ResourceWatcherOptions;
  #again = false;
  #reading: Promise<void> | undefined;

  constructor(options: ResourceWatcherOptions) {
    this.#o = options;
  }

  /** Watches until `signal` aborts; resolves after the first reading (or its failure). */
  start(signal: AbortSignal): Promise<void> {
    const { backend, resource } = this.#o;
    backend.kv.watch(resourcePrefix(resource), () => void this.refresh(signal), { signal });
    backend.watchMembers(() => void this.refresh(signal), { signal });
    return this.refresh(signal);
  }

  /** Reads again (joins a read in progress, then reads once more). */
  refresh(signal: AbortSignal): Promise<void> {
    this.#again = true;
    this.#reading ??= this.#loop(signal).finally(() => {
      this.#reading = undefined;
    });
    return this.#reading;
  }

  async #loop(signal: AbortSignal): Promise<void> {
    const { backend, resource, partitions, log } = this.#o;
    while (this.#again && !signal.aborted) {
      this.#again = false;
      try {
        const [state, members] = await Promise.all([
          readResource(backend.kv, resource, partitions, (e) => log.warn({ key: e.key, err: e }, 'corrupt partition document; ignored until the leader repairs it'), signal),
          backend.members({ signal }),
        ]);
        if (!signal.aborted) this.#o.onView({ state, members });
      } catch (error) {
        if (signal.aborted) return;
        log.warn({ err: error }, `reading partition resource failed; retrying in ${this.#o.retryMs} ms`);
        await pause(this.#o.clock, this.#o.retryMs, signal);
        this.#again = true;
      }
    }
  }
}
