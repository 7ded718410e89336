import { Counter, Gauge, type Registry } from 'prom-client';
import type { PassReport } from '../owned-items/item-placement.js';

/**
 * Prometheus metrics of the bucket feature, registered once per registry (the node's). Both
 * the leader's AssignService and each node's BucketOwner report here.
 */
export class BucketMetrics {
  /**
   * Buckets this node owns now (the node's registry labels it with the node id), counted when
   * scraped from the source the bucket feature sets: counting on every acquisition would cost
   * O(owned) per event, O(n²) to place n buckets.
   */
  readonly owned: Gauge;
  /** Counts the owned buckets; set by the bucket feature or owner that reports here. */
  ownedCount: (() => number) | null = null;
  /** Buckets moved from one node to another by the leader's passes. */
  readonly moves: Counter;
  /** Duration of the leader's last assignment pass (read, plan, write), in seconds. */
  readonly lastAssignSeconds: Gauge;
  /** Stored assignment documents found corrupt, by key (each is repaired by the leader). */
  readonly corrupt: Counter<'key'>;
  /** Buckets in handoff after the leader's last pass (tracked only under a move cap). */
  readonly inHandoff: Gauge;
  /** Moves the leader's last pass held back for a later one (the move caps were full). */
  readonly movesDeferred: Gauge;

  /** Records one assignment pass of the leader. */
  observePass(pass: PassReport): void {
    this.lastAssignSeconds.set(pass.durationMs / 1000);
    if (pass.writes > 0) this.moves.inc(pass.moves);
    this.inHandoff.set(pass.inHandoff);
    this.movesDeferred.set(pass.deferred);
  }

  constructor(registry: Registry) {
    const registers = [registry];
    const count = () => this.ownedCount?.() ?? 0;
    this.owned = new Gauge({
      name: 'baton_buckets_owned',
      help: 'Buckets this node owns',
      registers,
      collect() {
        this.set(count());
      },
    });
    this.moves = new Counter({ name: 'baton_bucket_moves_total', help: 'Buckets moved between nodes by the leader', registers });
    this.lastAssignSeconds = new Gauge({
      name: 'baton_bucket_assign_duration_seconds',
      help: 'Duration of the last assignment pass on the leader',
      registers,
    });
    this.inHandoff = new Gauge({ name: 'baton_buckets_in_handoff', help: 'Buckets moved by the leader and not yet acquired by their new node (tracked under a move cap)', registers });
    this.movesDeferred = new Gauge({ name: 'baton_bucket_moves_deferred', help: 'Bucket moves the last pass held back because the move caps were full', registers });
    this.corrupt = new Counter({
      name: 'baton_bucket_corrupt_documents_total',
      help: 'Corrupt bucket assignment documents found, by key',
      labelNames: ['key'],
      registers,
    });
  }
}
