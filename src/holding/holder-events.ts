/**
 * The `acquired` / `released` listeners of anything a node can hold: the cluster leadership
 * (no item argument), buckets and partitions (the item first). Unknown event names are refused,
 * so a misspelt `on('aquired', ...)` fails at once instead of never firing.
 */
import type { Logger } from 'pino';
import { InvalidArgumentError } from '../errors.js';
import type { Held, ReleaseReason } from './held.js';

export const HOLDER_EVENTS = ['acquired', 'released'] as const;
export type HolderEvent = (typeof HOLDER_EVENTS)[number];

/** Called when a holding starts; not awaited (start the work and return). */
export type AcquiredListener<A extends unknown[] = []> = (...args: [...A, Held]) => void | Promise<void>;
/** Called when a holding ends; awaited: the lease is given up only after it settles (the work has stopped). */
export type ReleasedListener<A extends unknown[] = []> = (...args: [...A, ReleaseReason]) => void | Promise<void>;

/** `A` is what names the holding: `[]` for a role, `[item]` for an item. Listener failures are logged, never thrown. */
export class HolderListeners<A extends unknown[] = []> {
  readonly #log: Logger;
  readonly #acquired = new Set<AcquiredListener<A>>();
  readonly #released = new Set<ReleasedListener<A>>();

  constructor(log: Logger) {
    this.#log = log;
  }

  /** Adds a listener; returns a function that removes it. InvalidArgumentError for an unknown event. */
  on(event: 'acquired', listener: AcquiredListener<A>): () => void;
  on(event: 'released', listener: ReleasedListener<A>): () => void;
  on(event: HolderEvent, listener: AcquiredListener<A> | ReleasedListener<A>): () => void {
    if (!(HOLDER_EVENTS as readonly string[]).includes(event)) {
      throw new InvalidArgumentError(`unknown event "${String(event)}"; events: ${HOLDER_EVENTS.join(', ')}`);
    }
    if (typeof listener !== 'function') throw new InvalidArgumentError(`the "${event}" listener must be a function`);
    const set = (event === 'acquired' ? this.#acquired : this.#released) as Set<typeof listener>;
    set.add(listener);
    return () => void set.delete(listener);
  }

  /** Calls every `acquired` listener; does not wait for async ones. */
  acquired(...args: [...A, Held]): void {
    for (const listener of [...this.#acquired]) void this.#settle('acquired', args, () => listener(...args));
  }

  /** Calls every `released` listener and resolves once all have settled. */
  async released(...args: [...A, ReleaseReason]): Promise<void> {
    await Promise.all([...this.#released].map((listener) => this.#settle('released', args, () => listener(...args))));
  }

  async #settle(event: HolderEvent, args: unknown[], call: () => void | Promise<void>): Promise<void> {
    try {
      await call();
    } catch (error) {
      const item = args.length > 1 ? args[0] : undefined;
      this.#log.error({ event, item, err: error }, `${event} listener failed`);
    }
  }
}
