/**
 * The demo's work per bucket: while a node owns a bucket it writes a small progress record under
 * `demo/work/{bucket}` once per WORK_PERIOD_MS, fenced with the bucket's term, so a node that
 * lost the bucket cannot write it (the store refuses the write). It counts what landed and what
 * was refused, for the demo to print.
 */
import type { Kv } from '../../contract/contract.js';
import type { Held } from '../../holding/index.js';
import { isBatonError } from '../../errors.js';
import { pause } from '../../async.js';
import { systemClock } from '../../clock.js';

/** How often a bucket's owner writes its progress record (monotonic clock, ms). */
export const WORK_PERIOD_MS = 1000;
/** Where the progress records live in the store. */
export const WORK_PREFIX = 'demo/work/';

export class BucketWorker {
  readonly #kv: Kv;
  readonly #nodeId: string;
  /** Writes that landed per bucket since the last `drain()`. */
  #writes: Record<string, number> = {};
  #refused = 0;
  readonly #totals = new Map<string, number>();

  constructor(kv: Kv, nodeId: string) {
    this.#kv = kv;
    this.#nodeId = nodeId;
  }

  /** Works on `bucket` until its holding ends; resolves then. */
  async work(bucket: string, held: Held): Promise<void> {
    this.#totals.set(bucket, 0);
    const { fence } = held;
    for (let n = 1; !held.signal.aborted; n += 1) {
      try {
        await this.#kv.put(`${WORK_PREFIX}${bucket}`, { nodeId: this.#nodeId, token: held.token, n }, { fence, signal: held.signal });
        this.#writes[bucket] = (this.#writes[bucket] ?? 0) + 1;
        this.#totals.set(bucket, (this.#totals.get(bucket) ?? 0) + 1);
      } catch (error) {
        if (isBatonError(error, 'FENCED')) this.#refused += 1;
        if (held.signal.aborted) return;
      }
      await pause(systemClock, WORK_PERIOD_MS, held.signal);
    }
  }

  /** Writes that landed on `bucket` during its current (or last) holding. */
  total(bucket: string): number {
    return this.#totals.get(bucket) ?? 0;
  }

  /** Writes per bucket and refused writes since the last call. */
  drain(): { writes: Record<string, number>; refused: number } {
    const out = { writes: this.#writes, refused: this.#refused };
    this.#writes = {};
    this.#refused = 0;
    return out;
  }
}
