import { MemoryStore } from '../../../src/backends/memory/index.js';
import { DEFAULT_TIMING, type Backend, type Session } from '../../../src/contract/index.js';
import type { ReleaseReason } from '../../../src/holding/index.js';
import { LeaderElector, type CampaignHold } from '../../../src/election/index.js';
import { FakeClock } from '../../../src/testing/fake-clock.js';

/** What one elector's listeners reported, with the fake time of each call. */
export interface Recorded {
  /** `acquired`: the term's token and when. */
  readonly started: Array<{ term: number; at: number }>;
  /** `released`: when. */
  readonly stopped: number[];
  /** `released`: why, in order. */
  readonly reasons: ReleaseReason[];
  /** `leader`: who, in order. */
  readonly leaders: Array<{ nodeId: string; term: number } | null>;
}

export interface ElectorNode {
  readonly backend: Backend;
  /** The session the elector campaigns on now (it opens its own; a new one after a loss). */
  readonly session: Session;
  readonly elector: LeaderElector;
  readonly recorded: Recorded;
}

/**
 * One in-memory cluster on a FakeClock with the default timing (ttl 15 s, deadline 10 s,
 * retry 2 s). `node(id)` opens a backend and an elector (which opens its session) that records its listeners.
 * `close()` closes everything, for `after`/`afterEach`.
 */
export class ElectorCluster {
  readonly clock = new FakeClock();
  readonly store = new MemoryStore({ clock: this.clock });
  readonly timing = DEFAULT_TIMING;
  readonly #nodes: ElectorNode[] = [];

  async node(nodeId: string, start = true, hold?: CampaignHold): Promise<ElectorNode> {
    const backend = this.store.backend('test');
    const recorded: Recorded = { started: [], stopped: [], reasons: [], leaders: [] };
    const elector = new LeaderElector({ backend, nodeId, info: { host: nodeId }, timing: this.timing, clock: this.clock, ...(hold ? { hold } : {}) });
    elector.on('acquired', (held) => void recorded.started.push({ term: held.token, at: this.clock.now() }));
    elector.on('released', (reason) => {
      recorded.stopped.push(this.clock.now());
      recorded.reasons.push(reason);
    });
    elector.on('leader', (leader) => void recorded.leaders.push(leader === null ? null : { nodeId: leader.nodeId, term: leader.term }));
    const node: ElectorNode = {
      backend,
      get session(): Session {
        const session = elector.session;
        if (session === null) throw new Error(`elector ${nodeId} has no session now`);
        return session;
      },
      elector,
      recorded,
    };
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
