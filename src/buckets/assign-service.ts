/**
 * The leader's half of bucket assignment: for the term of one Leadership, keeps the stored
 * target (see assignment-layout.ts) spread evenly over the live nodes.
 *
 * Safety (DESIGN.md, safety model 3): every write names the term's fence, so a deposed leader's
 * write is refused by the store itself (FencedError) and never lands; the service then stops.
 * Ownership itself is never decided here: a node acts for a bucket only while it holds the
 * bucket's election (see BucketOwner), so even a wrong target cannot make two owners.
 */
import type { Logger } from 'pino';
import type { Backend, Leadership } from '../contract/contract.js';
import { systemClock, type Clock } from '../clock.js';
import { StateError, type CorruptDocumentError } from '../errors.js';
import { runLeaderLoop, type LeaderLoopEnd, type PassResult } from '../owned-items/placement-loop.js';
import { OfflineGrace } from '../owned-items/offline-grace.js';
import { readAssignmentTable, type NodeRecord } from './assignment-layout.js';
import type { BucketMetrics } from './bucket-metrics.js';
import { validateBucketsOptions, type BucketsOptions } from './buckets-options.js';
import { planAssignment, type KvOp, type Plan } from './plan.js';
import { silentLogger } from '../owned-items/silent-logger.js';

export { RETRY_AFTER_ERROR_MS } from '../owned-items/placement-loop.js';

export interface AssignServiceOptions {
  readonly backend: Backend;
  /** The term this service works for; it stops when the term's signal aborts. */
  readonly leadership: Leadership;
  readonly buckets?: Partial<BucketsOptions>;
  /** Monotonic clock for the interval and the grace. Default: the system clock. */
  readonly clock?: Clock;
  /** Wall clock (epoch ms) for the stored last-update-time, shown to people only. */
  readonly wallClock?: () => number;
  readonly log?: Logger;
  readonly metrics?: BucketMetrics;
}

/** Why `run()` ended. */
export type AssignServiceEnd = LeaderLoopEnd;

/**
 * Runs assignment passes for one term: at once, on every membership change, when a grace ends,
 * and every `assignIntervalMs` as a safety net.
 *
 * @example
 * const elector = new LeaderElector({ backend, session, info, onStartedLeading: (leadership) => {
 *   void new AssignService({ backend, leadership, buckets: { count: 100 } }).run();
 * } });
 */
export class AssignService {
  readonly #backend: Backend;
  readonly #leadership: Leadership;
  readonly #options: BucketsOptions;
  readonly #clock: Clock;
  readonly #wallClock: () => number;
  readonly #log: Logger;
  readonly #metrics: BucketMetrics | undefined;
  readonly #grace: OfflineGrace;
  #running = false;

  constructor(options: AssignServiceOptions) {
    this.#backend = options.backend;
    this.#leadership = options.leadership;
    this.#options = validateBucketsOptions(options.buckets);
    this.#clock = options.clock ?? systemClock;
    this.#wallClock = options.wallClock ?? (() => Date.now());
    this.#log = (options.log ?? silentLogger).child({ term: options.leadership.term, feature: 'buckets' });
    this.#metrics = options.metrics;
    this.#grace = new OfflineGrace(this.#clock);
  }

  /**
   * Runs passes until the term ends or `signal` aborts (resolves 'term-ended') or a write is
   * fenced (resolves 'fenced'). Never rejects for store errors: they are logged and retried.
   */
  async run(options: { readonly signal?: AbortSignal } = {}): Promise<AssignServiceEnd> {
    if (this.#running) throw new StateError('AssignService.run() was already called; create one service per term');
    this.#running = true;
    return runLeaderLoop({
      backend: this.#backend,
      clock: this.#clock,
      signal: AbortSignal.any([this.#leadership.signal, ...(options.signal ? [options.signal] : [])]),
      intervalMs: this.#options.assignIntervalMs,
      log: this.#log,
      what: 'bucket assignment',
      pass: (signal) => this.#pass(signal),
    });
  }

  /**
   * One pass now: read members and the table, plan, write (fenced). Rejects with the term's end
   * reason, without touching the store, if the term has already ended; with FencedError if the
   * store refuses the term.
   */
  tick(): Promise<Plan> {
    return this.#pass(this.#leadership.signal);
  }

  /** One pass whose reads and writes end when `signal` aborts (the term's, or run()'s); also says which members it planned with. */
  async #pass(signal: AbortSignal): Promise<Plan & PassResult> {
    this.#leadership.signal.throwIfAborted();
    signal.throwIfAborted();
    const started = this.#clock.now();
    const [members, table] = await Promise.all([
      this.#backend.members({ signal }),
      readAssignmentTable(this.#backend.kv, this.#options.count, (e) => this.#reportCorrupt(e), signal),
    ]);
    const live = new Set(members.map((m) => m.nodeId));
    const plan = planAssignment({
      bucketCount: this.#options.count,
      members,
      table,
      graceUsedMs: this.#grace.used(storedGrace(table), live),
      offlineGraceMs: this.#options.offlineGraceMs,
      wallNow: this.#wallClock(),
    });
    const written = await this.#apply(plan.phases, signal);
    this.#metrics?.lastAssignSeconds.set((this.#clock.now() - started) / 1000);
    if (written > 0) {
      this.#metrics?.moves.inc(plan.moves);
      this.#log.info(
        { moves: plan.moves, writes: written, reclaimed: plan.reclaimed, inGrace: [...plan.inGrace.keys()], live: [...live] },
        'bucket assignment written',
      );
    }
    return { ...plan, members };
  }

  /** Writes both phases in order, each write fenced; returns how many writes were made. */
  async #apply(phases: Plan['phases'], signal: AbortSignal): Promise<number> {
    const { fence } = this.#leadership;
    const versions = new Map<string, number>();
    const expect = (op: KvOp) => versions.get(op.key) ?? op.expect;
    let count = 0;
    for (const phase of phases) {
      for (const op of phase) {
        if (op.kind === 'put') {
          versions.set(op.key, await this.#backend.kv.put(op.key, op.value, { fence, expectVersion: expect(op), signal }));
        } else {
          await this.#backend.kv.delete(op.key, { fence, expectVersion: expect(op) as number | undefined, signal });
        }
        count++;
      }
    }
    return count;
  }

  #reportCorrupt(error: CorruptDocumentError): void {
    this.#log.warn({ key: error.key, err: error }, 'corrupt bucket assignment document; the leader rewrites it');
    this.#metrics?.corrupt.inc({ key: error.key });
  }
}

/** Each stored node's grace used so far, as last stored (null when none or corrupt). */
function storedGrace(table: ReadonlyMap<string, NodeRecord>): Map<string, number | null> {
  return new Map([...table].map(([nodeId, { graceElapsedMs: stored }]) => [nodeId, stored !== null && stored !== 'corrupt' ? stored.value : null]));
}
