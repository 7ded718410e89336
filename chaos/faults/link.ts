/**
 * Faults on one node's link to the store: cut both ways or one way (iptables in its namespace),
 * lossy (iptables statistic), delayed (the store proxies). Held for two TTLs, so the node's
 * sessions are lost and taken over, then healed.
 */
import type { NodeProcess } from '../cluster/node-process.js';
import type { NodeNet } from '../net/namespaces.js';
import { cut, heal, lose, type CutDirection } from '../net/shaping.js';
import type { ChaosStore } from '../stores/chaos-store.js';
import { TIMING } from '../timing.js';
import { beginFault, endFault, pickNode, sleep, type Fault, type FaultContext } from './fault.js';

const HELD_MS = 2 * TIMING.ttlMs;
/** 1 s +- 0.2 s each way: round trips of about 2 s, close to renewDeadline (2.5 s). */
const DELAY = { delayMs: 1_000, jitterMs: 200 };
const LOSS_PERCENT = 40;
const networked = (store: ChaosStore) => store.networked;

/**
 * `fromHeal`: a slow or lossy link may keep the node's session alive while its terms keep
 * missing their deadlines, so the items placed on it wait for the heal (docs/reliability.md).
 */
async function onOneLink(context: FaultContext, what: string, apply: (net: NodeNet, victim: NodeProcess) => void, undo: (net: NodeNet) => void, fromHeal = false): Promise<void> {
  const victim = pickNode(context);
  const net = context.cluster.netOf(victim.nodeId);
  if (net === null) throw new Error(`${what}: node ${victim.nodeId} has no network namespace`);
  beginFault(context, `${what} ${victim.nodeId}`, fromHeal);
  try {
    apply(net, victim);
    await sleep(context, HELD_MS);
  } finally {
    undo(net);
  }
  endFault(context, `healed ${victim.nodeId}`, fromHeal);
}

function cutFault(name: string, direction: CutDirection, description: string): Fault {
  return { name, description, appliesTo: networked, run: (context) => onOneLink(context, name, (net) => cut(net, direction), heal) };
}

export const linkFaults: readonly Fault[] = [
  cutFault('cut', 'both', `drop every packet between a node and the store for ${HELD_MS / 1000} s (iptables in its namespace)`),
  cutFault('cut-out', 'out', `drop what a node sends to the store for ${HELD_MS / 1000} s (one-way)`),
  cutFault('cut-in', 'in', `drop what the store sends to a node for ${HELD_MS / 1000} s (one-way)`),
  {
    name: 'delay',
    description: `delay a node's traffic by ${DELAY.delayMs} +- ${DELAY.jitterMs} ms each way for ${HELD_MS / 1000} s`,
    appliesTo: (store) => store.delay !== undefined,
    run: (context) => onOneLink(context, 'delay', (net) => context.store.delay!(net.address, DELAY), (net) => context.store.delay!(net.address, null), true),
  },
  {
    name: 'loss',
    description: `lose ${LOSS_PERCENT} % of a node's packets each way for ${HELD_MS / 1000} s (iptables statistic)`,
    appliesTo: networked,
    run: (context) => onOneLink(context, 'loss', (net) => lose(net, LOSS_PERCENT), heal, true),
  },
];
