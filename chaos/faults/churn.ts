/**
 * Churn: a join of a new node, a graceful leave (the node comes back under its id a little
 * later), or a restart under the same id, keeping between 3 and the run's most nodes alive.
 */
import { TIMING } from '../timing.js';
import { beginFault, endFault, pickNode, sleep, type Fault } from './fault.js';

/** Fewest nodes kept alive: a partition's master and standby, and one more. */
const MIN_LIVE = 3;
/** How many ids beyond the starting nodes a join may use. */
const EXTRA_IDS = 2;

export const churnFault: Fault = {
  name: 'churn',
  description: 'a join, a graceful leave (back after a while) or a restart under the same id',
  appliesTo: () => true,
  async run(context) {
    const { cluster, random } = context;
    const live = cluster.live();
    const choice = random();
    const ids = new Set(live.map((n) => n.nodeId));
    const maxId = Math.max(...cluster.nodes.map((n) => Number(n.nodeId.slice(1))));
    if (choice < 0.3 && ids.size < 5 + EXTRA_IDS) {
      const free = Array.from({ length: maxId + 1 }, (_, i) => `n${i + 1}`).find((id) => !ids.has(id))!;
      beginFault(context, `join ${free}`, false, true);
      cluster.start(free);
      endFault(context, `joined ${free}`);
      return;
    }
    const victim = pickNode(context);
    if (choice < 0.65 && live.length > MIN_LIVE) {
      beginFault(context, `leave ${victim.nodeId}`, false, true);
      await victim.leave();
      await sleep(context, 2 * TIMING.ttlMs);
      cluster.start(victim.nodeId);
      endFault(context, `rejoined ${victim.nodeId}`);
      return;
    }
    beginFault(context, `restart ${victim.nodeId}`, false, true);
    await victim.leave();
    cluster.start(victim.nodeId);
    endFault(context, `restarted ${victim.nodeId}`);
  },
};
