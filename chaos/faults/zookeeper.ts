/**
 * ZooKeeper ensemble faults (3 members): a follower killed, the leader killed, a follower cut
 * from its peers but not from its clients, the quorum lost and regained.
 */
import type { ZooKeeperEnsemble, ZooKeeperEnsembleMember } from '../../test/support/zookeeper-fixture.js';
import type { ChaosStore } from '../stores/chaos-store.js';
import { TIMING } from '../timing.js';
import { beginFault, endFault, sleep, type Fault, type FaultContext } from './fault.js';

const DOWN_MS = 1.5 * TIMING.ttlMs;
const isZooKeeper = (store: ChaosStore) => store.ensemble !== undefined;

async function memberIn(ensemble: ZooKeeperEnsemble, mode: string, context: FaultContext): Promise<ZooKeeperEnsembleMember> {
  const modes = await Promise.all(ensemble.servers.map((s) => s.mode()));
  const matching = ensemble.servers.filter((_, i) => modes[i] === mode);
  if (matching.length === 0) throw new Error(`no ZooKeeper member is ${mode} (modes: ${modes.join(', ')})`);
  return matching[Math.floor(context.random() * matching.length)]!;
}

function ensembleOf(context: FaultContext): ZooKeeperEnsemble {
  return context.store.ensemble!;
}

export const zookeeperFaults: readonly Fault[] = [
  {
    name: 'zk-member-kill',
    description: `kill a ZooKeeper follower for ${DOWN_MS / 1000} s`,
    appliesTo: isZooKeeper,
    async run(context) {
      const ensemble = ensembleOf(context);
      const member = await memberIn(ensemble, 'follower', context);
      beginFault(context, `kill follower zk${member.id}`);
      await member.stop();
      await sleep(context, DOWN_MS);
      member.start();
      await ensemble.waitServing(3);
      endFault(context, `zk${member.id} serving`);
    },
  },
  {
    name: 'zk-leader-kill',
    description: `kill the ZooKeeper leader for ${DOWN_MS / 1000} s (the others elect a new one)`,
    appliesTo: isZooKeeper,
    async run(context) {
      const ensemble = ensembleOf(context);
      const member = await memberIn(ensemble, 'leader', context);
      beginFault(context, `kill leader zk${member.id}`, true);
      await member.stop();
      await ensemble.waitServing(2);
      endFault(context, 'a new ZooKeeper leader serves', true);
      await sleep(context, DOWN_MS);
      member.start();
      await ensemble.waitServing(3);
    },
  },
  {
    name: 'zk-follower-cut',
    description: `cut a ZooKeeper follower from its peers, not from its clients, for ${(2 * TIMING.ttlMs) / 1000} s`,
    appliesTo: isZooKeeper,
    async run(context) {
      const ensemble = ensembleOf(context);
      const member = await memberIn(ensemble, 'follower', context);
      beginFault(context, `cut follower zk${member.id} from peers`);
      const peerCut = member.cutFromPeers();
      try {
        await sleep(context, 2 * TIMING.ttlMs);
      } finally {
        peerCut.heal();
      }
      await ensemble.waitServing(3);
      endFault(context, `zk${member.id} rejoined`);
    },
  },
  {
    name: 'zk-quorum-loss',
    description: `kill 2 of 3 ZooKeeper members for ${DOWN_MS / 1000} s, then start them again`,
    appliesTo: isZooKeeper,
    async run(context) {
      const ensemble = ensembleOf(context);
      const victims = [...ensemble.servers].sort(() => context.random() - 0.5).slice(0, 2);
      beginFault(context, `kill zk${victims.map((v) => v.id).join(', zk')}`, true);
      await Promise.all(victims.map((v) => v.stop()));
      await sleep(context, DOWN_MS);
      for (const v of victims) v.start();
      await ensemble.waitServing(3);
      endFault(context, 'quorum back', true);
    },
  },
];
