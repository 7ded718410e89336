/**
 * The faults the demo can inject, on a timer or a key press: kill the leader (SIGKILL; the demo
 * restarts it), freeze the leader past its TTL (SIGSTOP, then SIGCONT), stop the leader
 * gracefully (SIGTERM; it stays down), add a node (a stopped one comes back first).
 */
import { pause } from '../../async.js';
import type { Clock } from '../../clock.js';
import type { DemoCluster } from './demo-cluster.js';
import { seconds, type DemoPrinter } from './demo-printer.js';
import type { LeaderSeen } from './fault-timer.js';
import type { Handovers } from './handovers.js';

export const FAULTS = ['kill', 'freeze', 'stop', 'add'] as const;
export type FaultName = (typeof FAULTS)[number];

/** How far past its TTL a frozen node stays frozen (ms), so its leases surely expire. */
const FREEZE_PAST_TTL_MS = 2000;

export interface FaultsOptions {
  readonly cluster: DemoCluster;
  readonly printer: DemoPrinter;
  readonly handovers: Handovers;
  readonly clock: Clock;
  readonly ttlMs: number;
  /** The leader as the demo sees it now. */
  readonly leader: () => LeaderSeen | null;
  /** Aborts when the demo stops (ends freezes early). */
  readonly signal: AbortSignal;
}

export class Faults {
  readonly #o: FaultsOptions;

  constructor(options: FaultsOptions) {
    this.#o = options;
  }

  run(fault: FaultName): void {
    if (fault === 'add') return this.add();
    const leader = this.#o.leader();
    const node = this.#o.cluster.byId(leader?.nodeId);
    if (!leader || !node || node.frozen) {
      this.#o.printer.say({ event: 'fault-skipped', fault, reason: 'no leader to act on yet' }, `${fault}: no running leader right now (a failover is under way); try again shortly`);
      return;
    }
    if (fault === 'kill') this.killLeader(leader);
    else if (fault === 'stop') {
      this.#o.printer.say({ event: 'stopping-node', nodeId: leader.nodeId }, `stopping leader ${leader.nodeId} gracefully (SIGTERM): it releases everything at once`);
      this.#o.handovers.fault(leader.nodeId, 'stopped');
      this.#o.cluster.stopNode(node);
    } else void this.#freeze(leader);
  }

  /** Kills the leader with SIGKILL; false when its process is not one of the demo's. */
  killLeader(leader: LeaderSeen): boolean {
    const node = this.#o.cluster.byId(leader.nodeId);
    if (!node || node.frozen) return false;
    this.#o.printer.say({ event: 'killing', nodeId: leader.nodeId, term: leader.term }, `killing leader ${leader.nodeId} (term ${leader.term}) with SIGKILL`);
    this.#o.handovers.fault(leader.nodeId, 'killed');
    node.kill('SIGKILL');
    return true;
  }

  add(): void {
    const node = this.#o.cluster.add();
    if (node === null) this.#o.printer.say({ event: 'fault-skipped', fault: 'add', reason: 'at the node limit' }, 'add: the demo runs as many nodes as it may');
  }

  async #freeze(leader: LeaderSeen): Promise<void> {
    const node = this.#o.cluster.byId(leader.nodeId);
    if (!node) return;
    const forMs = this.#o.ttlMs + FREEZE_PAST_TTL_MS;
    this.#o.printer.say({ event: 'freezing', nodeId: leader.nodeId, forMs }, `freezing leader ${leader.nodeId} (SIGSTOP) for ${seconds(forMs)}, past its ${seconds(this.#o.ttlMs)} TTL`);
    this.#o.handovers.fault(leader.nodeId, 'frozen');
    node.kill('SIGSTOP');
    await pause(this.#o.clock, forMs, this.#o.signal);
    node.kill('SIGCONT');
    if (!this.#o.signal.aborted) this.#o.printer.say({ event: 'thawed', nodeId: leader.nodeId }, `${leader.nodeId} thawed (SIGCONT): it finds its session gone and joins again`);
  }
}
