/** A foreign session holds a write lock on the cluster's lease rows for longer than the TTL. */
import { TIMING } from '../timing.js';
import { beginFault, endFault, sleep, type Fault } from './fault.js';

const HELD_MS = 1.5 * TIMING.ttlMs;

export const rowLockFault: Fault = {
  name: 'row-lock',
  description: `a foreign session locks the lease rows (SELECT ... FOR UPDATE; SQLite: BEGIN IMMEDIATE) for ${HELD_MS / 1000} s`,
  appliesTo: (store) => store.lockLeaseRows !== undefined,
  async run(context) {
    beginFault(context, 'lease rows locked', true);
    const release = await context.store.lockLeaseRows!(context.cluster.name);
    try {
      await sleep(context, HELD_MS);
    } finally {
      await release();
    }
    endFault(context, 'lease rows unlocked', true);
  },
};
