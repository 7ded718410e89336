/**
 * Runs one partitioned resource for one session of the node:
 * - follows the resource (placement, flag, keys) and the live members;
 * - leads the partitions it should, through HandoffSlots (the two-step handoff): enabled, those
 *   whose first LIVE placement node is this node (so a standby takes over as soon as the
 *   master's session is gone); disabled, all of them on the cluster leader and none elsewhere;
 * - drops every partition AT ONCE when the session is suspended or lost, and takes them back
 *   when it is live again;
 * - while this node leads the cluster, runs the PlacementService for the resource.
 */
import type { Logger } from 'pino';
import type { Backend, Leadership, Session } from '../contract/contract.js';
import type { Clock } from '../clock.js';
import type { ClusterElector } from '../feature/cluster-elector.js';
import { whenAborted as anyAborted } from '../async.js';
import { HandoffSlots } from '../owned-items/handoff-slots.js';
import { actingMaster, type PartitionLeadership } from './partition-leadership.js';
import { PlacementService } from './placement-service.js';
import { partitionElection } from './resource-layout.js';
import { ResourceWatcher, type ResourceView } from './resource-watcher.js';

export interface RunnerContext {
  readonly backend: Backend;
  readonly session: Session;
  readonly elector: ClusterElector;
  readonly clock: Clock;
  readonly log: Logger;
}

export class ResourceRunner {
  readonly #leadership: PartitionLeadership;
  readonly #ctx: RunnerContext;
  readonly #ended = new AbortController();
  readonly #slots: HandoffSlots<number>;
  #view: ResourceView | null = null;
  #clusterTerm: Leadership | null = null;
  #leaderLoop: Promise<void> | undefined;

  constructor(leadership: PartitionLeadership, ctx: RunnerContext) {
    this.#leadership = leadership;
    this.#ctx = ctx;
    const name = leadership.name;
    this.#slots = new HandoffSlots<number>({
      session: ctx.session,
      clock: ctx.clock,
      log: ctx.log,
      noun: 'partition',
      electionOf: (partition) => partitionElection(name, partition),
      maxItems: leadership.options.partitions,
      info: { nodeId: ctx.session.nodeId },
      acquired: (partition, held) => leadership.acquired(partition, held),
      released: (partition, reason) => leadership.released(partition, reason),
    });
  }

  /** Starts following and leading; resolves after the first reading of the resource. */
  async start(): Promise<void> {
    const { backend, session, clock, log, elector } = this.#ctx;
    const signal = AbortSignal.any([this.#ended.signal, session.lost]);
    // 1. Suspended or lost: drop every partition at once (Pinot keeps them); live: take them back.
    session.onStateChange(() => this.#reconcile(), { signal: this.#ended.signal });
    // 2. Cluster leadership: placement passes, and (disabled) leading every partition.
    this.#leaderLoop = this.#followClusterLeadership(signal).catch((error: unknown) => log.error({ err: error }, 'partition placement loop ended unexpectedly'));
    // 3. The resource and the members.
    const watcher = new ResourceWatcher({
      backend,
      resource: this.#leadership.name,
      partitions: this.#leadership.options.partitions,
      clock,
      retryMs: session.timing.retryPeriodMs,
      safetyNetMs: this.#leadership.options.placementIntervalMs,
      log,
      onView: (view) => {
        this.#view = view;
        this.#leadership.updateView(view, () => elector.leader()?.nodeId ?? null);
        this.#reconcile();
      },
    });
    await watcher.start(signal);
  }

  /** Releases every partition (listeners awaited, then resigned) and stops. Idempotent. */
  async stop(): Promise<void> {
    this.#ended.abort();
    await this.#slots.close();
    await this.#leaderLoop;
    this.#leadership.clearView();
  }

  /** The partitions this node should lead now. */
  #wanted(): Set<number> {
    const wanted = new Set<number>();
    const view = this.#view;
    if (view === null || this.#ctx.session.state !== 'live' || this.#ended.signal.aborted) return wanted;
    const { partitions, enabledByDefault } = this.#leadership.options;
    const enabled = view.state.enabled ?? enabledByDefault;
    const leadsCluster = this.#clusterTerm !== null && !this.#clusterTerm.signal.aborted;
    for (let partition = 0; partition < partitions; partition++) {
      const mine = enabled ? actingMaster(view, partition) === this.#ctx.session.nodeId : leadsCluster;
      if (mine) wanted.add(partition);
    }
    return wanted;
  }

  #reconcile(): void {
    this.#slots.want(this.#wanted());
  }

  /** 1. wait to lead the cluster; 2. run placement passes for the term; 3. again after it ends. */
  async #followClusterLeadership(signal: AbortSignal): Promise<void> {
    const { backend, elector, clock, log } = this.#ctx;
    while (!signal.aborted) {
      let term: Leadership;
      try {
        term = await elector.whenLeader({ signal });
      } catch {
        return; // aborted, elector closed or session lost: this runner is over
      }
      this.#clusterTerm = term;
      this.#reconcile();
      const scoped = scopedLeadership(term, signal);
      const service = new PlacementService({ backend, leadership: scoped, resource: this.#leadership.options, clock, log });
      const ended = await service.run();
      if (ended === 'fenced') await anyAborted(scoped.signal);
      this.#clusterTerm = null;
      this.#reconcile();
    }
  }
}

/** The term as seen by this runner: it also ends when the runner stops. */
function scopedLeadership(term: Leadership, stop: AbortSignal): Leadership {
  const signal = AbortSignal.any([term.signal, stop]);
  return {
    election: term.election,
    term: term.term,
    fence: term.fence,
    signal,
    held: () => term.held() && !signal.aborted,
    resign: (options) => term.resign(options),
  };
}
