/** SIGSTOP a node for longer than the TTL, then SIGCONT: it must not act when it wakes up. */
import { TIMING } from '../timing.js';
import { beginFault, endFault, pickNode, sleep, type Fault } from './fault.js';

/** 1.5 TTL: every lease of the frozen node expires and is taken over while it sleeps. */
const FROZEN_MS = 1.5 * TIMING.ttlMs;

export const freezeFault: Fault = {
  name: 'sigstop',
  description: `SIGSTOP a random node for ${FROZEN_MS / 1000} s (1.5 TTL), then SIGCONT`,
  appliesTo: () => true,
  async run(context) {
    const victim = pickNode(context);
    beginFault(context, `SIGSTOP ${victim.nodeId}`);
    victim.freeze();
    try {
      await sleep(context, FROZEN_MS);
    } finally {
      victim.thaw();
    }
    endFault(context, `SIGCONT ${victim.nodeId}`);
  },
};
