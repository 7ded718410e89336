import type { Logger } from 'pino';
import type { HandoffReason, HeldItem } from '../handoff/handoff-slots.js';
import type { BucketId } from './bucket-ids.js';

/**
 * What a node gets with a bucket it acquired: `token`, the term of election `bucket/{id}`
 * (increasing per handoff), and `signal`, which aborts when this ownership ends.
 */
export type AcquiredBucket = HeldItem;

/** Why a bucket was released: moved by the leader, lease or session lost, or the owner closed. */
export type ReleaseReason = HandoffReason;

export type AcquiredListener = (bucket: BucketId, ownership: AcquiredBucket) => void | Promise<void>;
/** May return a promise: the bucket is resigned only after it settles (the work has stopped). */
export type ReleasedListener = (bucket: BucketId, reason: ReleaseReason) => void | Promise<void>;

/** The `acquired` / `released` listener lists of a BucketOwner; listener failures are logged. */
export class BucketListeners {
  readonly #log: Logger;
  readonly #acquired = new Set<AcquiredListener>();
  readonly #released = new Set<ReleasedListener>();

  constructor(log: Logger) {
    this.#log = log;
  }

  add(event: 'acquired' | 'released', listener: AcquiredListener | ReleasedListener): () => void {
    const set = (event === 'acquired' ? this.#acquired : this.#released) as Set<typeof listener>;
    const entry = listener;
    set.add(entry);
    return () => void set.delete(entry);
  }

  /** Calls every `acquired` listener; does not wait for async ones. */
  acquired(bucket: BucketId, ownership: AcquiredBucket): void {
    for (const listener of [...this.#acquired]) {
      void this.#settle('acquired', bucket, () => listener(bucket, ownership));
    }
  }

  /** Calls every `released` listener and waits until all have settled. */
  async released(bucket: BucketId, reason: ReleaseReason): Promise<void> {
    await Promise.all([...this.#released].map((listener) => this.#settle('released', bucket, () => listener(bucket, reason))));
  }

  async #settle(event: string, bucket: BucketId, call: () => void | Promise<void>): Promise<void> {
    try {
      await call();
    } catch (error) {
      this.#log.error({ bucket, event, err: error }, 'bucket listener failed');
    }
  }
}
