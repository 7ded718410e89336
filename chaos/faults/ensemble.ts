/**
 * Faults of a replicated store's servers (ZooKeeper ensemble, etcd cluster; 3 members): a
 * follower killed, the leader killed, a follower cut from its peers but not from its clients, the
 * quorum lost and regained.
 */
import type { ChaosStore } from '../stores/chaos-store.js';
import type { Ensemble, EnsembleMember } from '../stores/ensemble.js';
import { TIMING } from '../timing.js';
import { beginFault, endFault, sleep, type Fault, type FaultContext } from './fault.js';

const DOWN_MS = 1.5 * TIMING.ttlMs;
const CUT_MS = 2 * TIMING.ttlMs;
const replicated = (store: ChaosStore) => store.ensemble !== undefined;

function ensembleOf(context: FaultContext): Ensemble {
  return context.store.ensemble!;
}

async function pick(context: FaultContext, leader: boolean): Promise<EnsembleMember> {
  const { members } = ensembleOf(context);
  const leads = await Promise.all(members.map((m) => m.isLeader()));
  const matching = members.filter((_, i) => leads[i] === leader);
  if (matching.length === 0) throw new Error(`no store member is ${leader ? 'the leader' : 'a follower'} now`);
  return matching[Math.floor(context.random() * matching.length)]!;
}

export const ensembleFaults: readonly Fault[] = [
  {
    name: 'member-kill',
    description: `kill a follower of the store's ensemble (ZooKeeper, etcd) for ${DOWN_MS / 1000} s`,
    appliesTo: replicated,
    async run(context) {
      const member = await pick(context, false);
      beginFault(context, `kill follower ${member.name}`);
      await member.stop();
      await sleep(context, DOWN_MS);
      member.start();
      await ensembleOf(context).waitServing(3);
      endFault(context, `${member.name} serving`);
    },
  },
  {
    name: 'leader-kill',
    description: `kill the ensemble's leader (the others elect a new one); back after ${DOWN_MS / 1000} s`,
    appliesTo: replicated,
    async run(context) {
      const member = await pick(context, true);
      beginFault(context, `kill leader ${member.name}`, true);
      await member.stop();
      await ensembleOf(context).waitServing(2);
      endFault(context, 'a new leader serves', true);
      await sleep(context, DOWN_MS);
      member.start();
      await ensembleOf(context).waitServing(3);
    },
  },
  {
    name: 'follower-cut',
    description: `cut a follower from its peers, not from its clients, for ${CUT_MS / 1000} s`,
    appliesTo: replicated,
    async run(context) {
      const member = await pick(context, false);
      // fromHeal: the member's return disturbs the whole ensemble (etcd: its raised term can force
      // an election; ZooKeeper: it resyncs), so holders may be lost at the heal as well.
      beginFault(context, `cut follower ${member.name} from its peers`, true);
      const cut = member.cutFromPeers();
      try {
        await sleep(context, CUT_MS);
      } finally {
        cut.heal();
      }
      await ensembleOf(context).waitServing(3);
      endFault(context, `${member.name} rejoined`, true);
    },
  },
  {
    name: 'quorum-loss',
    description: `kill 2 of 3 members for ${DOWN_MS / 1000} s, then start them again`,
    appliesTo: replicated,
    async run(context) {
      const { members } = ensembleOf(context);
      const victims = [...members].sort(() => context.random() - 0.5).slice(0, 2);
      beginFault(context, `kill ${victims.map((v) => v.name).join(', ')}`, true);
      await Promise.all(victims.map((v) => v.stop()));
      await sleep(context, DOWN_MS);
      for (const v of victims) v.start();
      await ensembleOf(context).waitServing(3);
      endFault(context, 'quorum back', true);
    },
  },
];
