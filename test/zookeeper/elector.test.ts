/**
 * The LeaderElector (written once against the backend contract) on real ZooKeeper: one leader
 * among three, a graceful close hands over at once, and every node learns the new leader.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { Backend, LeaderRecord } from '../../src/contract/index.js';
import { createZookeeperBackend } from '../../src/backends/zookeeper/index.js';
import { LeaderElector } from '../../src/election/index.js';
import { waitFor } from '../support/wait.js';
import { startStandalone, type StandaloneZooKeeper } from '../support/zookeeper-fixture.js';

const TIMING = Object.freeze({ ttlMs: 4_000, renewDeadlineMs: 2_000, retryPeriodMs: 400, pollIntervalMs: 200 });

interface Node {
  readonly id: string;
  readonly backend: Backend;
  readonly elector: LeaderElector;
  readonly seen: (LeaderRecord | null)[];
  started: number;
  stopped: number;
}

describe('LeaderElector on ZooKeeper', () => {
  let zk: StandaloneZooKeeper;
  const nodes: Node[] = [];

  before(async () => {
    zk = await startStandalone();
  });
  after(async () => {
    await Promise.allSettled(nodes.map((n) => n.elector.close()));
    await Promise.allSettled(nodes.map((n) => n.backend.close()));
    await zk?.close();
  });

  const start = async (id: string): Promise<Node> => {
    const backend = await createZookeeperBackend({ connect: zk.connectString, cluster: 'elector' });
    const node: Node = {
      id,
      backend,
      seen: [],
      started: 0,
      stopped: 0,
      elector: new LeaderElector({ backend, nodeId: id, info: { host: id }, timing: TIMING }),
    };
    node.elector.on('acquired', () => void node.started++);
    node.elector.on('released', () => void node.stopped++);
    node.elector.on('leader', (leader) => void node.seen.push(leader));
    nodes.push(node);
    node.elector.start();
    return node;
  };

  it('elects one leader, hands over on close before any expiry, and tells everyone', async () => {
    const all = await Promise.all(['n1', 'n2', 'n3'].map(start));
    const first = await waitFor('one leader', () => {
      const leaders = all.filter((n) => n.elector.isLeader());
      return leaders.length === 1 ? leaders[0] : undefined;
    });
    const term = first.elector.leadership()?.term ?? 0;
    await waitFor('every node to see the leader', () => all.every((n) => n.elector.leader()?.nodeId === first.id));

    await first.elector.close();
    await first.backend.close();
    const rest = all.filter((n) => n !== first);
    // Within the session timeout: the handover must not wait for the old session to expire.
    const second = await waitFor('the next leader', () => rest.find((n) => n.elector.isLeader()), { timeoutMs: TIMING.ttlMs - TIMING.retryPeriodMs });
    assert.ok((second.elector.leadership()?.term ?? 0) > term);
    assert.equal(rest.filter((n) => n.elector.isLeader()).length, 1);
    await waitFor('the survivors to see the new leader', () => rest.every((n) => n.elector.leader()?.nodeId === second.id));
    assert.equal(first.started, 1);
    assert.equal(first.stopped, 1);
  });
});
