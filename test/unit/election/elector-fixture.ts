import { MemoryStore } from '../../../src/backends/memory/index.js';
import { DEFAULT_TIMING, type Backend, type LeaderRecord, type Session } from '../../../src/contract/index.js';
import { LeaderElector } from '../../../src/election/index.js';
import { FakeClock } from '../../../src/testing/fake-clock.js';

/** What one elector's callbacks reported, with the fake time of each call. */
export interface Recorded {
  readonly started: Array<{ term: number; at: number }>;
  readonly stopped: number[];
  readonly leaders: Array<{ nodeId: string; term: number } | null>;
}

export interface ElectorNode {
  readonly backend: Backend;
  readonly session: Session;
  readonly elector: LeaderElector;
  readonly recorded: Recorded;
}

/**
 * One in-memory cluster on a FakeClock with the default timing (ttl 15 s, deadline 10 s,
 * retry 2 s). `node(id)` opens a backend, a session and an elector that records its callbacks.
 * `close()` closes everything, for `after`/`afterEach`.
 */
export class ElectorCluster {
  readonly clock = new FakeClock();
  readonly store = new MemoryStore({ clock: this.clock });
  readonly timing = DEFAULT_TIMING;
  readonly #nodes: ElectorNode[] = [];

  async node(nodeId: string, start = true): Promise<ElectorNode> {
    const backend = this.store.backend('test');
    const session = await backend.openSession({ nodeId, info: { host: nodeId }, timing: this.timing });
    const recorded: Recorded = { started: [], stopped: [], leaders: [] };
    const elector = new LeaderElector({
      backend,
      session,
      info: { host: nodeId },
      clock: this.clock,
      onStartedLeading: (leadership) => recorded.started.push({ term: leadership.term, at: this.clock.now() }),
      onStoppedLeading: () => recorded.stopped.push(this.clock.now()),
      onNewLeader: (leader: LeaderRecord | null) => recorded.leaders.push(leader === null ? null : { nodeId: leader.nodeId, term: leader.term }),
    });
    const node = { backend, session, elector, recorded };
    this.#nodes.push(node);
    if (start) {
      elector.start();
      await this.settle();
    }
    return node;
  }

  /** Lets queued callbacks run without moving the clock. */
  settle(): Promise<void> {
    return this.clock.advance(0);
  }

  async close(): Promise<void> {
    for (const node of this.#nodes.splice(0)) {
      await node.elector.close();
      await node.backend.close();
    }
  }
}
