/**
 * In-process simulation of partitioned leadership: several "nodes" (a backend, a session, the
 * cluster-leader elector and the resource's owned-items engine each) on one MemoryStore driven by a FakeClock.
 * Every start/stop is recorded, so tests can check that no two nodes ever led one partition.
 */
import { pino } from 'pino';
import type { Backend, Session } from '../../../src/contract/contract.js';
import { MemoryStore } from '../../../src/backends/memory/index.js';
import { LeaderElector } from '../../../src/election/index.js';
import { OwnedItems } from '../../../src/owned-items/owned-items.js';
import { partitionLayout, partitionTiming } from '../../../src/partitions/partition-layout.js';
import { PartitionLeadership, type PartitionItems } from '../../../src/partitions/partition-leadership.js';
import { readResource, type PlacementDoc } from '../../../src/partitions/resource-layout.js';
import { validateResourceOptions, type PartitionResourceOptions } from '../../../src/partitions/resource-options.js';
import { FakeClock, flushMicrotasks } from '../../../src/testing/fake-clock.js';
import { oneSession } from '../../support/one-session.js';

export const CLUSTER = 'sim';
const log = pino({ level: 'silent' });

export interface SimNode {
  readonly nodeId: string;
  readonly backend: Backend;
  readonly session: Session;
  readonly elector: LeaderElector;
  readonly leadership: PartitionLeadership;
  readonly items: PartitionItems;
}

export class Sim {
  readonly clock = new FakeClock();
  readonly store = new MemoryStore({ clock: this.clock });
  readonly options: PartitionResourceOptions;
  readonly nodes = new Map<string, SimNode>();
  /** partition -> node ids leading it right now (from the events). */
  readonly holders = new Map<number, Set<string>>();
  /** Set when a partition ever had two holders at once. */
  overlap: string | null = null;

  constructor(options: Partial<PartitionResourceOptions> = {}) {
    this.options = validateResourceOptions({ name: 'leadControllerResource', partitions: 24, replicas: 2, rebalanceDelayMs: 300_000, ...options });
  }

  /** Starts a node; `beforeItems` runs once its session is open, before its engine starts. */
  async start(nodeId: string, beforeItems?: (session: Session) => void): Promise<SimNode> {
    const backend = this.store.backend(CLUSTER);
    const session = await backend.openSession({ nodeId, info: { host: '127.0.0.1', ports: { http: 1000 + this.nodes.size } }, timing: { ttlMs: 15_000, renewDeadlineMs: 10_000, retryPeriodMs: 2_000, pollIntervalMs: 500 } });
    const elector = new LeaderElector({ backend, sessions: oneSession(session, { nodeId }), clock: this.clock });
    elector.start();
    const items = new OwnedItems({ layout: partitionLayout(this.options), timing: partitionTiming(this.options), clock: this.clock, log });
    const leadership = new PartitionLeadership(this.options, nodeId, items);
    leadership.on('acquired', (partition) => {
      const set = this.holders.get(partition) ?? this.holders.set(partition, new Set()).get(partition)!;
      if (set.size > 0) this.overlap ??= `partition ${partition}: ${nodeId} started while ${[...set].join(',')} led it`;
      set.add(nodeId);
    });
    leadership.on('released', (partition) => void this.holders.get(partition)?.delete(nodeId));
    const node = { nodeId, backend, session, elector, leadership, items };
    this.nodes.set(nodeId, node);
    beforeItems?.(session);
    await items.start({ backend, session, elector });
    return node;
  }

  /** The node's session is ended by the store (a crash detected): its process is gone too. */
  async crash(nodeId: string): Promise<void> {
    const node = this.nodes.get(nodeId)!;
    this.nodes.delete(nodeId);
    this.store.expire(node.session.id);
    await node.items.stop({ leave: false });
    await node.elector.close();
    await node.backend.close();
    await this.settle();
  }

  /** Graceful stop: the engine releases its partitions, then the session closes. */
  async stop(nodeId: string): Promise<void> {
    const node = this.nodes.get(nodeId)!;
    this.nodes.delete(nodeId);
    await node.items.stop({ leave: false });
    await node.elector.close();
    await node.backend.close();
    await this.settle();
  }

  /** Lets pending work run (no time passes). */
  async settle(): Promise<void> {
    await flushMicrotasks(50);
  }

  async advance(ms: number, step = 1_000): Promise<void> {
    for (let done = 0; done < ms; done += step) await this.clock.advance(Math.min(step, ms - done));
    await this.settle();
  }

  /** The leader of each partition according to the events; null where none. */
  leaders(): (string | null)[] {
    return Array.from({ length: this.options.partitions }, (_, p) => [...(this.holders.get(p) ?? [])][0] ?? null);
  }

  async placement(): Promise<PlacementDoc | null> {
    const any = [...this.nodes.values()][0]!;
    return (await readResource(any.backend.kv, this.options.name, this.options.partitions, () => undefined)).placement;
  }

  async close(): Promise<void> {
    for (const node of this.nodes.values()) {
      await node.items.stop({ leave: false });
      await node.elector.close();
      await node.backend.close();
    }
    this.nodes.clear();
  }
}
